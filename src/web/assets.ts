// The website's only CSS and JavaScript, served by the plugin itself (no CDN, no web fonts: it
// works offline and leaks no visitor to a third party). URLs carry a content hash so browsers
// may cache them forever. The script is progressive enhancement: every page works without it.

import { createHash } from 'node:crypto';

const CSS = `
:root{--fg:#161616;--muted:#4a4a4a;--bg:#fff;--panel:#f4f5f7;--line:#c9ccd1;--accent:#0b57a4;--accent-fg:#fff;
--ok:#0f6b2f;--ok-bg:#e5f4ea;--warn:#7a4b00;--warn-bg:#fff3d6;--err:#a1121b;--err-bg:#fde8e9;--focus:#ffbf47}
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-size:100%;line-height:1.5;color:var(--fg);background:var(--bg)}
body{margin:0}
a{color:var(--accent)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,summary:focus-visible{outline:3px solid var(--focus);outline-offset:2px;box-shadow:0 0 0 5px var(--fg)}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:var(--bg);padding:.5rem;z-index:2}
.sandbox{background:#ffd84d;color:#000;text-align:center;padding:.4rem 1rem;font-weight:600;border-bottom:2px solid #000}
header.top{border-bottom:1px solid var(--line);background:var(--panel)}
.bar{max-width:60rem;margin:0 auto;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:center}
.brand{font-weight:700;font-size:1.15rem;text-decoration:none;color:var(--fg);margin-right:auto}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:0;padding:0;align-items:center}
nav a{display:inline-flex;align-items:center;min-height:2.75rem;padding:0 .25rem}
nav a[aria-current=page]{font-weight:700;text-decoration:none}
main{max-width:60rem;margin:0 auto;padding:1rem 1rem 3rem}
h1{font-size:1.6rem;margin:.5rem 0 1rem;line-height:1.25}h2{font-size:1.2rem;margin:1.75rem 0 .5rem}
.narrow{max-width:28rem}
.muted{color:var(--muted)}
form.inline{display:inline}
.field{margin:0 0 1rem}
.field label,.field legend{display:block;font-weight:600;margin-bottom:.25rem}
.field .hint{color:var(--muted);font-size:.9rem;margin:.1rem 0 .3rem}
input[type=email],input[type=password],input[type=text],select{font:inherit;width:100%;max-width:28rem;padding:.55rem .6rem;border:2px solid var(--fg);border-radius:4px;background:#fff;color:var(--fg)}
fieldset{border:0;padding:0;margin:0 0 1rem}
.choices label{display:flex;gap:.5rem;align-items:center;font-weight:400;padding:.3rem 0}
input[type=radio],input[type=checkbox]{width:1.2rem;height:1.2rem;accent-color:var(--accent)}
.field.invalid input,.field.invalid select{border-color:var(--err)}
.error{color:var(--err);font-weight:600;margin:.25rem 0}
button,.button{font:inherit;font-weight:600;display:inline-block;min-height:2.75rem;padding:.55rem 1.1rem;border-radius:4px;border:2px solid var(--accent);background:var(--accent);color:var(--accent-fg);cursor:pointer;text-decoration:none}
button.secondary,.button.secondary{background:#fff;color:var(--accent)}
button.danger,.button.danger{background:#fff;color:var(--err);border-color:var(--err)}
button.small,.button.small{min-height:2.75rem;min-width:2.75rem;padding:.25rem .7rem;font-size:.9rem}
button[disabled]{opacity:.6;cursor:progress}
.notice{border-left:6px solid var(--accent);background:var(--panel);padding:.75rem 1rem;margin:0 0 1rem}
.notice.success{border-color:var(--ok);background:var(--ok-bg)}.notice.warning{border-color:#c77700;background:var(--warn-bg)}
.notice.error{border-color:var(--err);background:var(--err-bg)}
.notice h2,.notice h3{margin:0 0 .25rem;font-size:1.1rem}.notice p{margin:.25rem 0}
.balances{display:grid;grid-template-columns:repeat(auto-fill,minmax(12rem,1fr));gap:.75rem;margin:0;padding:0;list-style:none}
.balances li{border:1px solid var(--line);border-radius:6px;padding:.75rem 1rem;background:var(--panel)}
.balances .amount{font-size:1.5rem;font-weight:700;font-variant-numeric:tabular-nums;display:block}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{text-align:left;padding:.45rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:.9rem;color:var(--muted)}td.num,th.num{text-align:right;white-space:nowrap}
.pager{display:flex;gap:1rem;margin-top:.75rem}
.checkout{display:grid;gap:1.25rem;grid-template-columns:minmax(0,15rem) minmax(0,1fr);align-items:start}
@media (max-width:40rem){.checkout{grid-template-columns:1fr}.qr{max-width:15rem;margin:0 auto}}
.qr{background:#fff;border:1px solid var(--line);padding:.25rem;border-radius:6px}
.qr svg{display:block;width:100%;height:auto}
dl.facts{margin:0;display:grid;grid-template-columns:minmax(6rem,auto) 1fr;gap:.4rem .75rem}
dl.facts dt{font-weight:600}dl.facts dd{margin:0;min-width:0}
.copyable{display:flex;gap:.5rem;align-items:flex-start;flex-wrap:wrap}
code.value{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,monospace;overflow-wrap:anywhere;word-break:break-all;background:var(--panel);padding:.1rem .3rem;border-radius:3px}
ol.steps{list-style:none;display:flex;flex-wrap:wrap;gap:.5rem;padding:0;margin:.5rem 0 1rem}
ol.steps li{border:2px solid var(--line);border-radius:999px;padding:.2rem .8rem;color:var(--muted)}
ol.steps li.done{border-color:var(--ok);color:var(--ok)}ol.steps li[aria-current=step]{border-color:var(--accent);color:var(--fg);font-weight:700}
.secret{border:2px dashed var(--err);padding:1rem;margin:1rem 0;background:var(--err-bg)}
.countdown{font-variant-numeric:tabular-nums;font-weight:700}
.pay-now .wallet{margin:.75rem 0 0;text-align:center}.pay-now .wallet .button{width:100%;text-align:center}
.seen .big{font-size:1.15rem}
.receipt{border:2px solid var(--ok);border-radius:6px;padding:.75rem 1rem;margin:1rem 0}.receipt h2{margin-top:0}
@media (max-width:40rem){code.value.long{display:block;max-width:14rem;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;word-break:normal}}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
details.sandbox-pay{border:2px solid #000;background:#fff7cc;padding:.75rem 1rem;border-radius:6px;margin-top:1rem}
details.sandbox-pay summary{font-weight:700;cursor:pointer}
`;

const JS = `(function(){'use strict';
var live=document.getElementById('live');
function say(t){if(live){live.textContent='';setTimeout(function(){live.textContent=t},30)}}
document.addEventListener('click',function(e){var b=e.target.closest&&e.target.closest('button[data-copy]');if(!b)return;
 var el=document.getElementById(b.getAttribute('data-copy'));if(!el)return;var text=el.textContent.trim();
 function done(){var old=b.textContent;b.textContent='Copied';say('Copied to the clipboard');setTimeout(function(){b.textContent=old},1500)}
 if(navigator.clipboard&&window.isSecureContext){navigator.clipboard.writeText(text).then(done,function(){sel(el);})}else{sel(el);done()}
});
function sel(el){var r=document.createRange();r.selectNodeContents(el);var s=window.getSelection();s.removeAllRanges();s.addRange(r);try{document.execCommand('copy')}catch(_){}}
var summary=document.getElementById('error-summary');if(summary)summary.focus();
var kept=document.querySelector('form[data-remember]');
if(kept){var store='coffer-form-'+kept.getAttribute('data-remember');var skip={_csrf:1,idempotency_key:1};
 var restore=function(){var saved;try{saved=JSON.parse(sessionStorage.getItem(store)||'null')}catch(_){saved=null}if(!saved)return;
  var amount=kept.querySelector('input[name=amount]');if(!amount||amount.value!=='')return;
  Object.keys(saved).forEach(function(n){if(skip[n])return;var els=kept.querySelectorAll('[name="'+n+'"]');for(var i=0;i<els.length;i++){var el=els[i];
   if(el.type==='radio'||el.type==='checkbox')el.checked=el.value===saved[n];else el.value=saved[n]}})};
 restore();window.addEventListener('pageshow',restore);
 kept.addEventListener('submit',function(){var data={};new FormData(kept).forEach(function(v,k){if(!skip[k])data[k]=String(v)});try{sessionStorage.setItem(store,JSON.stringify(data))}catch(_){}})}
var timer=null;
function countdown(){clearTimeout(timer);var cd=document.querySelector('[data-expires]');if(!cd)return;
 var exp=Date.parse(cd.getAttribute('data-expires'));var offset=Number(cd.getAttribute('data-now'))-Date.now();
 var wrap=cd.querySelector('.countdown-in');var out=cd.querySelector('.countdown');if(wrap)wrap.hidden=false;
 var tick=function(){var left=exp-(Date.now()+offset);
  if(left<=0){cd.textContent='The quote has expired.';poll();return}
  var s=Math.floor(left/1000);var h=Math.floor(s/3600),m=Math.floor(s%3600/60),r=s%60;
  out.textContent=(h>0?h+':'+String(m).padStart(2,'0'):m)+':'+String(r).padStart(2,'0');
  timer=setTimeout(tick,1000-((Date.now()+offset)%1000))};tick()}
countdown();
var panel=document.querySelector('[data-status-url]');var polling=null;var started=Date.now();
var OPEN={unpaid:1,partial:1,detected:1,late_pending:1};
function signedOut(){clearTimeout(polling);clearTimeout(timer);if(panel)panel.setAttribute('data-final','true');
 var n=document.querySelector('[data-signed-out]');if(n){n.hidden=false;n.setAttribute('tabindex','-1');n.focus()}}
function poll(){if(!panel)return;fetch(panel.getAttribute('data-status-url'),{headers:{accept:'application/json'},credentials:'same-origin',cache:'no-store',redirect:'manual'})
 .then(function(r){if(r.status===401||r.type==='opaqueredirect'||r.redirected){signedOut();throw 'signed-out'}if(!r.ok)throw new Error(String(r.status));return r.json()}).then(function(d){
  if(d.key!==panel.getAttribute('data-key')){var changed=d.state!==panel.getAttribute('data-state');
   panel.innerHTML=d.html;panel.setAttribute('data-status',d.status);panel.setAttribute('data-state',d.state);panel.setAttribute('data-key',d.key);countdown();
   if(changed){say(d.title);if(d.state==='credited'||d.state==='late_credited'){var h=document.getElementById('receipt-heading');if(h)h.focus()}}
   else{var c=panel.querySelector('[data-confirmations]');if(c)say('Confirmations: '+c.textContent)}
   var sp=document.querySelector('[data-simulate-panel]');if(sp&&!(d.state==='unpaid'||d.state==='partial'))sp.hidden=true}
  panel.setAttribute('data-final',d.final?'true':'false');
  schedule(OPEN[d.state]?2000:10000)}).catch(function(e){if(e!=='signed-out')schedule(5000)})}
function schedule(ms){clearTimeout(polling);if(!panel||panel.getAttribute('data-final')==='true'||Date.now()-started>3600000)return;polling=setTimeout(poll,ms||2000)}
schedule();
var sim=document.querySelector('form[data-simulate]');
if(sim){sim.addEventListener('submit',function(e){e.preventDefault();var btn=sim.querySelector('button');btn.disabled=true;
 var body=new URLSearchParams(new FormData(sim));var confirmations=body.get('confirmations');
 function post(params){return fetch(sim.action,{method:'POST',headers:{accept:'application/json','content-type':'application/x-www-form-urlencoded'},credentials:'same-origin',body:params.toString()})
  .then(function(r){return r.json().then(function(d){if(!r.ok)throw new Error(d.message||'failed');return d})})}
 var first=new URLSearchParams(body);first.set('step','detect');
 post(first).then(function(d){poll();if(confirmations==='0')return d;return new Promise(function(res){setTimeout(res,1200)}).then(function(){
   var second=new URLSearchParams(body);second.set('step','confirm');second.set('txid',d.txid);return post(second)})})
 .then(function(){btn.disabled=false;poll()},function(err){btn.disabled=false;var m=sim.querySelector('.error');if(m){m.textContent=err.message;m.hidden=false}})})}
})();`;

function hashed(content: string): string {
  return createHash('sha256').update(content).digest('hex').slice(0, 12);
}

export const Assets = {
  css: { path: `/assets/coffer-${hashed(CSS)}.css`, body: CSS.trim(), type: 'text/css; charset=utf-8' },
  js: { path: `/assets/coffer-${hashed(JS)}.js`, body: JS, type: 'text/javascript; charset=utf-8' },
} as const;
