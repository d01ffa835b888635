#!/usr/bin/env python3
"""Validate outside2 eval set: fields, decoding, quotes, must_include."""
import json, re, html, os, sys, csv
from collections import Counter
BASE = os.path.dirname(os.path.abspath(__file__))
DOCS = os.path.join(BASE, 'docs')
GBK = {'p06.txt', 'p11.txt'}
TYPES = {'factoid','list','numeric','date_deadline','who_leads','cross_doc_compare','year_disambiguation','multi_hop','unanswerable'}
KINDS = {'notice','plan','letter','report'}
KEYS = ['id','question','type','answer','must_include','must_not_include','sources','history','doc_kind']
ws = lambda s: re.sub(r'\s+', '', s)

def decode(fn):
    raw = open(os.path.join(DOCS, fn), 'rb').read()
    if fn in GBK:
        return raw.decode('gbk')
    t = raw.decode('utf-8')
    if fn.endswith('.html'):
        paras = re.findall(r'<p>(.*?)</p>', t, flags=re.S)
        return '\n'.join(html.unescape(re.sub(r'<[^>]+>', '', p)) for p in paras)
    return t

texts = {fn: decode(fn) for fn in sorted(os.listdir(DOCS))}
errors = []
counts = Counter(); ids = set(); fu = 0
for split, pre in [('dev.jsonl','o2d'), ('test.jsonl','o2t')]:
    for ln, line in enumerate(open(os.path.join(BASE, split), encoding='utf-8'), 1):
        tag = f'{split}:{ln}'
        try:
            o = json.loads(line)
        except Exception as e:
            errors.append(f'{tag} bad json {e}'); continue
        if list(o.keys()) != KEYS: errors.append(f'{tag} keys {list(o.keys())}')
        if not re.fullmatch(pre + r'-\d{3}', o['id']) or o['id'] in ids: errors.append(f'{tag} bad/dup id {o["id"]}')
        ids.add(o['id'])
        if o['type'] not in TYPES: errors.append(f'{tag} type {o["type"]}')
        if o['doc_kind'] not in KINDS: errors.append(f'{tag} doc_kind')
        if not o['question'].strip() or not o['answer'].strip(): errors.append(f'{tag} empty q/a')
        counts[(split, o['type'])] += 1
        if o['history']: fu += 1
        if o['type'] == 'unanswerable':
            if o['must_include'] or o['sources']: errors.append(f'{tag} unanswerable has must_include/sources')
            continue
        if not (1 <= len(o['must_include']) <= 3): errors.append(f'{tag} must_include count')
        if not o['sources']: errors.append(f'{tag} no sources')
        quotes = []
        for s in o['sources']:
            fn, qt = s['file'], s['quote']
            if fn not in texts: errors.append(f'{tag} unknown file {fn}'); continue
            if len(qt) > 80: errors.append(f'{tag} quote >80 chars ({len(qt)})')
            if '\n' in qt: errors.append(f'{tag} quote spans lines')
            if not any(qt in para for para in texts[fn].split('\n')):
                errors.append(f'{tag} quote not found in {fn}: {qt}')
            quotes.append(ws(qt))
        for m in o['must_include']:
            if not any(ws(m) in qq for qq in quotes): errors.append(f'{tag} must_include not in quotes: {m}')
        first = o['sources'][0]['file'] if o['sources'] else ''
        n = int(first[1:3]) if first else 0
        if n and ((n % 2 == 1) != (split == 'dev.jsonl')): errors.append(f'{tag} wrong split for {first}')
        for m in o['must_not_include']:
            if any(ws(m) in ws(x) for x in o['must_include']): errors.append(f'{tag} must_not overlaps must_include')
# metadata / sources csv
for name, cols in [('sources.csv', ['file','url','page_title','notes']), ('expected_metadata.csv', ['file','year','level','region','kind','doc_no','issuer'])]:
    p = os.path.join(BASE, name)
    if not os.path.exists(p): errors.append(f'missing {name}'); continue
    rows = list(csv.DictReader(open(p, encoding='utf-8')))
    if rows and list(rows[0].keys()) != cols: errors.append(f'{name} columns')
    if sorted(r['file'] for r in rows) != sorted(texts): errors.append(f'{name} files mismatch')
    if name == 'expected_metadata.csv':
        for r in rows:
            if r['level'] not in {'national','provincial','municipal','county'}: errors.append(f'{name} level {r}')
            if r['kind'] not in KINDS: errors.append(f'{name} kind {r}')
            if r['doc_no'] and ws(r['doc_no']) not in ws(texts[r['file']]): errors.append(f'{name} doc_no not in text {r["file"]}')
for fn, t in texts.items():
    if len(t) < 300: print('note: short doc', fn, len(t))
print('per split/type:'); [print(' ', k, v) for k, v in sorted(counts.items())]
print('follow-ups:', fu, 'total:', sum(counts.values()))
print('\n'.join(errors) if errors else 'OK: no errors'); sys.exit(1 if errors else 0)
