#!/usr/bin/python3
"""Regenerates conll_reference.json: tokens and IOB2 tags as Label Studio's CONLL2003 export computes them.

Tokens: NLTK 3.8 TreebankWordTokenizer.span_tokenize with Label Studio's punctuation rules (label_studio_converter
utils.py sets TreebankWordTokenizer.PUNCTUATION, adding "/" to the split symbols). Tags: the rule of
label_studio_converter.utils.create_tokens_and_tags, restated below. Spans are trimmed of surrounding whitespace
first (the portal's documented export behaviour). Run: /usr/bin/python3 make_conll_reference.py > conll_reference.json
"""
import json
import re

from nltk.tokenize.treebank import TreebankWordTokenizer

TreebankWordTokenizer.PUNCTUATION = [
    (re.compile(r"([:,])([^\d])"), r" \1 \2"),
    (re.compile(r"([:,])$"), r" \1 "),
    (re.compile(r"\.\.\."), r" ... "),
    (re.compile(r"[;@#$/%&]"), r" \g<0> "),
    (re.compile(r'([^\.])(\.)([\]\)}>"\']*)\s*$'), r"\1 \2\3 "),
    (re.compile(r"[?!]"), r" \g<0> "),
    (re.compile(r"([^'])' "), r"\1 ' "),
]


def trim(text, span):
    start, end = span["start"], span["end"]
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return {"start": start, "end": end, "labels": span["labels"]}


def tags_for(text, spans):
    tokens = [(text[s:e], s) for s, e in TreebankWordTokenizer().span_tokenize(text)]
    spans = sorted([t for t in (trim(text, s) for s in spans) if t["end"] > t["start"]], key=lambda s: s["start"])
    if not spans:
        return [t for t, _ in tokens], ["O"] * len(tokens)
    span = spans.pop(0)
    span_start, span_end, prefix = span["start"], span["end"] - 1, "B-"
    out_tokens, out_tags = [], []
    for token, token_start in tokens:
        out_tokens.append(token)
        token_end = token_start + len(token) - 1
        if token_start > span_end:
            while spans:
                span = spans.pop(0)
                span_start, span_end, prefix = span["start"], span["end"] - 1, "B-"
                if token_start <= span_end:
                    break
        if token_end < span_start or not span["labels"]:
            out_tags.append("O")
        elif span_start <= token_end and span_end >= token_start:
            out_tags.append(prefix + span["labels"][0])
            prefix = "I-"
        else:
            out_tags.append("O")
    return out_tokens, out_tags


def span(text, part, label, occurrence=0, pad=0):
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(part, start + 1)
    return {"start": max(0, start - pad), "end": min(len(text), start + len(part) + pad), "labels": [label]}


cases = []


def case(name, text, *spans):
    tokens, tags = tags_for(text, list(spans))
    cases.append({"name": name, "text": text, "spans": [{"start": s["start"], "end": s["end"], "label": s["labels"][0]} for s in spans],
                  "tokens": tokens, "tags": tags})


t = "Maria Schneider from Hamburg ordered a Nimbus 14 laptop."
case("multi-token spans", t, span(t, "Maria Schneider", "Person"), span(t, "Hamburg", "City"), span(t, "Nimbus 14 laptop", "Product"))
t = "Refund of €855.33, please: order INV-2025-1234 (paid 12/03)!"
case("punctuation, slash and parentheses", t, span(t, "€855.33", "Money"), span(t, "INV-2025-1234", "Order"), span(t, "12/03", "Date"))
t = 'She said "call me" and it\'s done; we can\'t wait -- gonna see.'
case("quotes, contractions, double dash", t, span(t, "call me", "Quote"), span(t, "it's", "Thing"))
t = "Peter   Kowalski  works at   Nordwind Logistics."
case("runs of spaces", t, span(t, "Peter   Kowalski", "Person"), span(t, "Nordwind Logistics", "Company"))
t = "The TrailRunner backpack arrived."
case("partial token span tags the whole token", t, {"start": t.index("TrailRunner") + 5, "end": t.index("TrailRunner") + 8, "labels": ["Product"]})
t = "Contact Ana Lima today."
case("span with surrounding spaces is trimmed", t, span(t, "Ana Lima", "Person", pad=1))
t = "Berlin Paris Rome"
case("adjacent spans each start with B", t, span(t, "Berlin", "City"), span(t, "Paris", "City"), span(t, "Rome", "City"))
t = "Acme Corp Europe GmbH sued."
case("overlapping spans", t, span(t, "Acme Corp", "Company"), span(t, "Acme Corp Europe GmbH", "Organization"))
t = "No entities here, only words."
case("no spans", t)
t = "Email ana@example.com or call +49 30 1234-5678."
case("at sign, plus and hyphen", t, span(t, "ana@example.com", "Email"), span(t, "+49 30 1234-5678", "Phone"))
t = "Zürich, São Paulo and Kraków."
case("non-ASCII letters", t, span(t, "Zürich", "City"), span(t, "São Paulo", "City"), span(t, "Kraków", "City"))
t = "Line one.\nLine two ends here."
case("newline inside the text", t, span(t, "two", "Number"))
print(json.dumps({"source": "NLTK 3.8 TreebankWordTokenizer.span_tokenize with Label Studio's PUNCTUATION; tag rule of label_studio_converter create_tokens_and_tags; spans trimmed", "cases": cases}, ensure_ascii=False, indent=1))
