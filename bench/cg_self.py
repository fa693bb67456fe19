# cg_self.py FILE [N] — self cost per function of one callgrind dump written
# by bench/callgrind.sh (uncompressed names; callgrind_annotate mis-reads a
# single dump part).  Prints the N most expensive functions.
import sys, collections
def parse(path):
    selfc = collections.Counter(); incl = collections.Counter()
    fn = None; after_call = False; cfn=None
    for line in open(path):
        if line.startswith('fn='): fn = line[3:].strip(); continue
        if line.startswith('cfn='): cfn = line[4:].strip(); continue
        if line.startswith('calls='): after_call = True; continue
        if line[:1].isdigit() or line[:1] in '+-*':
            parts = line.split()
            if len(parts) >= 2:
                c = int(parts[1])
                if after_call: incl[(fn, cfn)] += c
                else: selfc[fn] += c
            after_call = False
    return selfc, incl
s, inc = parse(sys.argv[1])
tot = sum(s.values())
n = int(sys.argv[2]) if len(sys.argv) > 2 else 30
print("total", tot)
for f, c in s.most_common(n): print("%12d %5.1f%%  %s" % (c, 100.0*c/tot, f))
