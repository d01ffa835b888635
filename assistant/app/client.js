// Page script (head of every page, assistant/app/builder.py).
// 1. A click on a [n] citation (问答) or on a value of the 历年对比 table asks the server for the notice
//    at that passage, then scrolls to it; a row's 重建索引 link (知识库) re-indexes that document: the key
//    goes into a hidden textbox, a hidden button is clicked.
// 2. gradio copies a chat message's Markdown/HTML source into aria-labels; screen readers get its text.
(() => {
  const routes = [['#zly-cite-', 'zly-cite'], ['#zly-fact-', 'zly-fact'], ['#zly-reindex-', 'zly-reindex']];  // link prefix → hidden req/go ids
  const send = (key, id) => {
    const box = document.querySelector(`#${id}-req textarea, #${id}-req input`);
    const go = document.querySelector(`#${id}-go`);
    if (!box || !go) return;
    box.value = key;
    box.dispatchEvent(new Event('input', { bubbles: true }));
    setTimeout(() => go.click(), 50);
  };
  document.addEventListener('click', (e) => {
    for (const [prefix, id] of routes) {
      const a = e.target.closest && e.target.closest(`a[href*="${prefix}"]`);
      if (!a) continue;
      e.preventDefault();
      e.stopPropagation();
      send(a.getAttribute('href').split(prefix)[1], id);
      return;
    }
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
