"""Where the time of a rapport run goes, stage by stage.

Attributes each sample of a `perf record --call-graph dwarf` profile to a
stage of the pipeline: the frame nearest the leaf that matches a stage
marker below wins (so malloc called from the YAML scanner counts as YAML
parse). See docs/benchmarks.md for the commands.

    perf script -i check.data -F comm,tid,ip,sym > check.txt
    python3 benches/support/perf_stages.py check.txt
"""
import re, sys, collections

MARKERS = [
    ("markdown: sanitize (ammonia)", r"^ammonia::|html5ever|markup5ever|tendril"),
    ("markdown: parse + HTML (pulldown-cmark)", r"^pulldown_cmark"),
    ("markdown: other", r"rapport::render::markdown::"),
    ("charts (plotters/SVG)", r"rapport::render::charts::|^plotters"),
    ("templates: context (page data serialised into tera values, and dropped)", r"tera::value::ser|ValueSerializer|tera::context|drop_in_place<tera::value|tera::value::key"),
    ("templates: render (tera VM, escaping)", r"^tera::|<tera::"),
    ("redaction", r"rapport::render::redact"),
    ("hashing (fingerprints)", r"fingerprint|rapport::render::cache::|rapport::watch::fingerprint"),
    ("data files (JSON/CSV)", r"rapport::render::export::|^csv::"),
    ("page data (contexts, rows)", r"rapport::render::"),
    ("analyse", r"rapport::analysis::"),
    ("YAML parse", r"rapport::syntax::yaml|yaml_serde|libyaml|saphyr"),
    ("validate / model (note, front-matter, text)", r"rapport::read::(note|frontmatter|text)|rapport::book::model"),
    ("discover", r"rapport::read::discover|walkdir"),
    ("read (file I/O)", r"rapport::pipeline::stages::parse_file|std::fs::read"),
    ("write (output)", r"rapport::pipeline::output::"),
    ("settings, layout, templates load", r"rapport::book::|rapport::render::templates::load"),
    ("pipeline (collect, sort, drop)", r"rapport::pipeline::stages::"),
    ("main / exit (drop of the built site)", r"rapport::main|rapport::check|rapport::pipeline\b"),
]
MARK = [(n, re.compile(p)) for n, p in MARKERS]

def stage(frames):
    for f in frames:  # leaf first
        for n, rx in MARK:
            if rx.search(f):
                return n
    return "other (kernel only, thread start)"

def leafsym(frames):
    return frames[0] if frames else "?"

samples = []
cur = None
for line in open(sys.argv[1], errors="replace"):
    if not line.strip():
        if cur is not None:
            samples.append(cur)
        cur = None
        continue
    if not line.startswith("\t") and not line.startswith(" "):
        cur = []
        continue
    parts = line.strip().split(None, 1)
    sym = parts[1] if len(parts) > 1 else "?"
    sym = re.sub(r" \(inlined\)$", "", sym)
    if cur is not None:
        cur.append(sym)
if cur:
    samples.append(cur)

total = len(samples)
by = collections.Counter(stage(s) for s in samples)
print(f"{total} samples")
print("| stage | share of CPU samples |\n|---|---|")
for n, c in by.most_common():
    print(f"| {n} | {100*c/total:.1f}% |")
# allocation share
alloc = sum(1 for s in samples if re.search(r"^(malloc|_int_malloc|_int_free|cfree|free|realloc|malloc_consolidate|unlink_chunk|__memmove|__memcpy|_int_realloc)", s[0] if s else ""))
print(f"\nleaf in malloc/free/realloc/memmove: {100*alloc/total:.1f}%")
