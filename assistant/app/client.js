// Page script (head of every page, assistant/app/builder.py).
// 1. A click on a [n] citation asks the server for the notice at that passage, then scrolls to it.
// 2. gradio copies a chat message's Markdown/HTML source into aria-labels; screen readers get its text.
(() => {
  const send = (key) => {
    const box = document.querySelector('#zly-cite-req textarea, #zly-cite-req input');
    const go = document.querySelector('#zly-cite-go');
    if (!box || !go) return;
    box.value = key;
    box.dispatchEvent(new Event('input', { bubbles: true }));
    setTimeout(() => go.click(), 50);
  };
  document.addEventListener('click', (e) => {
    const a = e.target.closest && e.target.closest('a[href*="#zly-cite-"]');
    if (!a) return;
    e.preventDefault();
    e.stopPropagation();
    send(a.getAttribute('href').split('#zly-cite-')[1]);
  }, true);
  const clean = (el) => {
    const label = el.getAttribute('aria-label') || '';
    if (!/[<>]|&lt;|&gt;|\\\[|\]\(#/.test(label)) return;
    const text = label.replace(/<[^>]*>/g, '').replace(/&lt;/g, '‹').replace(/&gt;/g, '›').replace(/&amp;/g, '&')
      .replace(/\[(\\\[\d+\\\])\]\(#zly-cite-[\d-]+\)/g, '$1').replace(/\\([\\`*_{}\[\]()#+\-.!|~$:])/g, '$1')
      .replace(/[<>]/g, '');
    el.setAttribute('aria-label', text.slice(0, 300));
  };
  const sweep = (root) => root.querySelectorAll && root.querySelectorAll('[aria-label]').forEach(clean);
  new MutationObserver((records) => records.forEach((r) => {
    if (r.type === 'attributes') clean(r.target); else r.addedNodes.forEach((n) => { if (n.nodeType === 1) { if (n.hasAttribute('aria-label')) clean(n); sweep(n); } });
  })).observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-label'] });
})();
