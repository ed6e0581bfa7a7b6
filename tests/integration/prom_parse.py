#!/usr/bin/env python3
"""A small strict parser of the Prometheus text exposition format (0.0.4),
as far as slinkd uses it: "# HELP" and "# TYPE" before each family's
samples, counter and gauge only, label values with the three escapes, no
family twice, no sample twice, every line ended by a newline.

  prom_parse.py FILE           parse; print "<n> families, <m> samples"
  prom_parse.py --self-test    the parser rejects what it must
As a module: parse(text) -> {(name, frozenset(labels.items())): value}.
"""
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
SAMPLE = re.compile(r"^(" + NAME + r")(?:\{(.*)\})? (\S+)$")
LABEL_PAIR = re.compile(r"(" + LABEL + r')="((?:[^"\\\n]|\\[\\"n])*)"(,|$)')


class Bad(Exception):
    pass


def parse_labels(s, lineno):
    out, pos = {}, 0
    while pos < len(s):
        m = LABEL_PAIR.match(s, pos)
        if not m:
            raise Bad("line %d: bad labels at '%s'" % (lineno, s[pos:]))
        k = m.group(1)
        if k in out:
            raise Bad("line %d: label %s twice" % (lineno, k))
        out[k] = re.sub(r"\\(.)", lambda e: "\n" if e.group(1) == "n" else e.group(1), m.group(2))
        pos = m.end()
        if m.group(3) == "," and pos == len(s):
            raise Bad("line %d: trailing comma in labels" % lineno)
    return out


def parse(text):
    if not text.endswith("\n"):
        raise Bad("exposition does not end with a newline")
    families, samples = {}, {}
    cur = None            # the family whose samples may follow
    helped = None
    for lineno, line in enumerate(text[:-1].split("\n"), 1):
        if line.startswith("# HELP "):
            parts = line.split(" ", 3)
            if len(parts) < 4 or not re.fullmatch(NAME, parts[2]) or not parts[3]:
                raise Bad("line %d: bad HELP" % lineno)
            if parts[2] in families:
                raise Bad("line %d: family %s twice" % (lineno, parts[2]))
            helped, cur = parts[2], None
        elif line.startswith("# TYPE "):
            parts = line.split(" ")
            if len(parts) != 4 or parts[2] != helped or parts[3] not in ("counter", "gauge"):
                raise Bad("line %d: TYPE must follow its HELP, counter or gauge: %s" % (lineno, line))
            if parts[3] == "counter" and not parts[2].endswith("_total"):
                raise Bad("line %d: counter %s without _total" % (lineno, parts[2]))
            families[parts[2]] = parts[3]
            cur, helped = parts[2], None
        elif line.startswith("#") or not line:
            raise Bad("line %d: unexpected line '%s'" % (lineno, line))
        else:
            m = SAMPLE.match(line)
            if not m:
                raise Bad("line %d: not a sample: '%s'" % (lineno, line))
            name, labels, value = m.group(1), m.group(2), m.group(3)
            if name != cur:
                raise Bad("line %d: sample %s outside its family (%s)" % (lineno, name, cur))
            try:
                v = float(value)
            except ValueError:
                raise Bad("line %d: bad value '%s'" % (lineno, value))
            if families[name] == "counter" and v < 0:
                raise Bad("line %d: negative counter" % lineno)
            key = (name, frozenset(parse_labels(labels or "", lineno).items()))
            if key in samples:
                raise Bad("line %d: sample twice: %s" % (lineno, line))
            samples[key] = v
    for f in families:
        if not any(k[0] == f for k in samples):
            raise Bad("family %s has no sample" % f)
    return samples


def self_test():
    good = '# HELP a_total x y\n# TYPE a_total counter\na_total{p="q\\"r",s="t"} 3\n'
    assert parse(good)[("a_total", frozenset({"p": 'q"r', "s": "t"}.items()))] == 3
    bad = [
        good[:-1],                                                 # no final newline
        "# TYPE a_total counter\na_total 1\n",                     # TYPE without HELP
        "# HELP a x\n# TYPE a counter\na 1\n",                     # counter without _total
        "# HELP a x\n# TYPE a gauge\nb 1\n",                       # sample outside family
        "# HELP a x\n# TYPE a gauge\na{p=\"1\"} 1\na{p=\"1\"} 2\n",  # duplicate sample
        "# HELP a x\n# TYPE a gauge\na{p=\"1\",} 1\n",             # trailing comma
        "# HELP a x\n# TYPE a gauge\na{p=1} 1\n",                  # unquoted label
        "# HELP a x\n# TYPE a gauge\na one\n",                     # bad value
        "# HELP a x\n# TYPE a gauge\na 1\n# HELP a x\n# TYPE a gauge\na 2\n",  # family twice
        "# HELP a x\n# TYPE a summary\na 1\n",                     # type not used here
        "# HELP a x\n# TYPE a gauge\n\na 1\n",                     # blank line
        "# HELP a x\n# TYPE a gauge\n",                            # family without sample
    ]
    for i, b in enumerate(bad):
        try:
            parse(b)
        except Bad:
            continue
        raise SystemExit("self-test: bad input %d accepted" % i)
    print("prom_parse self-test: 1 good accepted, %d bad rejected" % len(bad))


if __name__ == "__main__":
    if sys.argv[1] == "--self-test":
        self_test()
    else:
        try:
            s = parse(open(sys.argv[1]).read())
        except Bad as e:
            raise SystemExit("invalid exposition: %s" % e)
        print("%d families, %d samples" % (len({k[0] for k in s}), len(s)))
