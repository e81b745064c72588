"""A deterministic, seeded generator of realistic synthetic corpora, written in the ``data/`` format.

``guidancekg synth --statements N --seed S --out DIR`` writes a data folder that ``guidancekg build`` reads like
the curated one: drugs x sources x versions x statements, with

- several jurisdictions (EU, UK, GB-EAW, US), the scheme and reach of the bundled data (``jurisdictions.yaml``),
  and source kinds (regulator, guidance body, patient information);
- versions dated to the day, and some only to the month or the year (recorded from the day after that period);
- statements whose ``valid_from`` is stated in the text, an authority's decision, or the publication date;
  month- and year-precise dates; temporary measures with an end;
- overrides (restricts, replaces, revokes) and chains of overrides up to the build's limit (depth 3); an
  overriding statement also overrides what its targets override, so no chain brings a replaced statement back;
- withdrawn statements: a later version of a source does not assert again some statements of the one before;
- records of each assertion: a verbatim quote of the version's held text at its offsets (in code points, with
  non-ASCII wording), or a citation for sources whose text is not held; some statements recorded by a second
  source.

The same ``(N, seed)`` always writes byte-identical files. Files are written drug by drug, so memory stays small
at a million statements. About 200 statements per drug: a corpus of N statements has about N / 200 drugs.
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from guidancekg.graph.progress import SILENT, Progress

STATEMENTS_PER_DRUG = 200
FIRST_DAY = date(2004, 1, 1)
LAST_DAY = date(2024, 12, 31)
MAX_DEPTH = 3  # graph.checks.MAX_OVERRIDE_DEPTH

TOPICS = ("indication", "contraindication", "undesirable-effect", "warning", "dosing", "administration",
          "monitoring", "efficacy", "mechanism", "pregnancy", "breastfeeding", "regulatory-action",
          "patient-advice")

# (key suffix, title, publisher, kind, jurisdiction, holds text)
SOURCE_KINDS = (
    ("eu-smpc", "Summary of product characteristics of {brand}", "European Medicines Agency", "regulator", "EU",
     True),
    ("us-label", "Prescribing information for {brand}", "US Food and Drug Administration", "regulator", "US",
     False),
    ("nice-ta", "NICE technology appraisal of {label}", "National Institute for Health and Care Excellence",
     "guidance-body", "GB-EAW", True),
    ("uk-patient", "{brand}: information for patients", "A UK patient charity", "patient-information", "UK",
     True),
    ("mhra-dsu", "Drug Safety Update on {label}", "Medicines and Healthcare products Regulatory Agency",
     "regulator", "UK", False),
)

CONDITIONS = ("relapsing remitting multiple sclerosis", "moderate to severe plaque psoriasis",
              "rheumatoid arthritis", "chronic lymphocytic leukaemia", "type 2 diabetes mellitus",
              "severe asthma", "Crohn's disease", "migraine prevention", "hypertension", "atrial fibrillation")
EFFECTS = ("infusion reactions", "thyroid disorders", "immune thrombocytopenia", "headache", "nausea",
           "hepatotoxicity", "QT prolongation", "serious infections", "hypersensitivity", "renal impairment")
WORDS = {
    "indication": "{label} is indicated for adult patients with {cond}.",
    "contraindication": "{label} must not be used in patients with {effect} or a history of {effect2}.",
    "undesirable-effect": "Very common undesirable effects of {label} (≥ 1/10) include {effect} and {effect2}.",
    "warning": "Patients treated with {label} should be monitored for {effect}; stop treatment if it occurs.",
    "dosing": "The recommended dose of {label} is {dose} mg once daily for {days} consecutive days.",
    "administration": "{label} is given by intravenous infusion over {hours} hours after premedication.",
    "monitoring": "Full blood counts should be checked every {weeks} weeks during treatment with {label}.",
    "efficacy": "{label} reduced the annual rate of {cond} relapses by {pct}% compared with placebo.",
    "mechanism": "{label} is a monoclonal antibody that binds to CD{cd} on lymphocytes.",
    "pregnancy": "Women of childbearing potential should use effective contraception for {weeks} weeks after {label}.",
    "breastfeeding": "Breast-feeding should be discontinued during treatment with {label} and for {weeks} weeks after.",
    "regulatory-action": "The authority restricted the use of {label} to patients with {cond} pending a review of "
                         "{effect}.",
    "patient-advice": "Tell your doctor straight away if you notice signs of {effect} while taking {label} — "
                      "for example {effect2}.",
}


# The jurisdictions of the bundled data, with their reach; the evidence of each reach is a made-up address.
JURISDICTIONS = """\
# Synthetic: the scheme and reach of the bundled data, cited at made-up addresses. Not real regulation.
jurisdictions:
- {code: EU, name: European Union, iso3166: EU}
- {code: UK, name: United Kingdom, iso3166: GB}
- {code: GB-GBN, name: Great Britain, within: UK, iso3166: GB-GBN}
- {code: GB-EAW, name: England and Wales, within: GB-GBN, iso3166: GB-EAW, aliases: [UK-ENW]}
- {code: GB-ENG, name: England, within: GB-EAW, iso3166: GB-ENG}
- {code: GB-WLS, name: Wales, within: GB-EAW, iso3166: GB-WLS}
- {code: GB-SCT, name: Scotland, within: GB-GBN, iso3166: GB-SCT}
- {code: GB-NIR, name: Northern Ireland, within: UK, iso3166: GB-NIR}
- {code: US, name: United States, iso3166: US}
reach:
- {id: eu-in-uk, of: EU, into: UK, valid_until: '2021-01-01', text: synthetic, date_confidence: verbatim,
   citation: {url: 'https://example.org/reach/eu-in-uk', wording_confidence: paraphrase}}
- {id: eu-carried-gb, of: EU, into: GB-GBN, valid_from: '2021-01-01', carries: '2020-12-31', text: synthetic,
   date_confidence: verbatim, citation: {url: 'https://example.org/reach/eu-carried-gb',
                                         wording_confidence: paraphrase}}
- {id: eu-in-ni, of: EU, into: GB-NIR, valid_from: '2021-01-01', valid_until: '2025-01-01', text: synthetic,
   date_confidence: verbatim, citation: {url: 'https://example.org/reach/eu-in-ni', wording_confidence: paraphrase}}
- {id: eu-carried-uk, of: EU, into: UK, valid_from: '2025-01-01', carries: '2020-12-31', text: synthetic,
   date_confidence: verbatim, citation: {url: 'https://example.org/reach/eu-carried-uk',
                                         wording_confidence: paraphrase}}
"""


@dataclass
class SynthStats:
    """What a generated corpus holds."""

    drugs: int = 0
    sources: int = 0
    versions: int = 0
    statements: int = 0
    assertions: int = 0
    overrides: int = 0
    temporary: int = 0
    withdrawn: int = 0
    quotes: int = 0
    citations: int = 0
    files: int = 0
    by_precision: dict[str, int] = field(default_factory=lambda: {"day": 0, "month": 0, "year": 0})

    def to_json(self) -> dict[str, object]:
        return dict(self.__dict__)


def _y(value: str) -> str:
    """Return ``value`` as a YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def _partial(day: date, precision: str) -> str:
    if precision == "day":
        return day.isoformat()
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return f"{day.year:04d}"


def _period(day: date, precision: str) -> tuple[date, date]:
    """Return (first day, first day after) of the period ``_partial(day, precision)`` names."""
    if precision == "day":
        return day, day + timedelta(days=1)
    if precision == "month":
        nxt = date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)
        return day.replace(day=1), nxt
    return date(day.year, 1, 1), date(day.year + 1, 1, 1)


def _rand_day(rng: random.Random, lo: date, hi: date) -> date:
    if hi <= lo:
        return lo
    return lo + timedelta(days=rng.randrange((hi - lo).days + 1))


@dataclass
class _Stmt:
    key: str
    topic: str
    wording: str
    start: date  # first day of valid_from's period (or of the publication date's)
    end: date | None  # the first day after valid_from's period (for choosing an end)
    depth: int
    targets: tuple[str, ...]
    active: bool = True  # still asserted by its source's latest version


def generate(n_statements: int, seed: int, out: Path, *, overwrite: bool = False,
             progress: Progress = SILENT) -> SynthStats:
    """Write a corpus of about ``n_statements`` statements (exactly that many) to ``out``; return its stats."""
    if n_statements < 1:
        raise ValueError("n_statements must be at least 1")
    out = Path(out)
    if out.exists():
        if not overwrite and any(out.iterdir()):
            raise FileExistsError(f"{out} exists and is not empty")
        shutil.rmtree(out)
    (out / "sources").mkdir(parents=True)
    rng = random.Random(seed)
    n_drugs = max(1, round(n_statements / STATEMENTS_PER_DRUG))
    stats = SynthStats(drugs=n_drugs)
    drug_lines = []
    remaining = n_statements
    with progress.step("writing statements", n_statements, "statements") as step:
        for d in range(n_drugs):
            share = remaining // (n_drugs - d)
            remaining -= share
            key, label, brand = f"drug{d:05d}", f"Substantimab {d}", f"Brandix{d}"
            drug_lines.append(f"- id: {key}\n  label: {_y(label)}\n  brand_names: [{_y(brand)}]\n")
            _write_drug(rng, out, key, label, brand, share, stats)
            step.advance(share)
    (out / "drugs.yaml").write_text("".join(drug_lines), encoding="utf-8")
    (out / "jurisdictions.yaml").write_text(JURISDICTIONS, encoding="utf-8")
    (out / "README.md").write_text(
        f"Synthetic corpus: {n_statements} statements, seed {seed} (guidancekg synth). Not real guidance.\n",
        encoding="utf-8")
    stats.files += 3
    return stats


def _write_drug(rng: random.Random, out: Path, drug: str, label: str, brand: str, n: int,
                stats: SynthStats) -> None:
    n_sources = min(len(SOURCE_KINDS), max(1, min(n, rng.randint(2, 4))))
    kinds = rng.sample(SOURCE_KINDS, n_sources)
    # Versions of each source: 1 to 4, strictly later one after the other.
    plans = []
    for suffix, title, publisher, kind, jur, holds_text in kinds:
        n_versions = rng.randint(1, 4)
        days = sorted({_rand_day(rng, FIRST_DAY, LAST_DAY) for _ in range(n_versions)})
        versions: list[tuple[str, date, date, str]] = []  # (key, first day, recorded from, precision)
        last_hi: date | None = None
        for day in days:
            precision = rng.choices(("day", "month", "year"), (85, 10, 5))[0]
            lo, hi = _period(day, precision)
            if last_hi is not None and lo < last_hi:  # keep versions strictly after one another
                precision = "day"
                lo, hi = _period(day, "day")
                if lo < last_hi:
                    continue
            vkey = _partial(day, precision)
            versions.append((vkey, lo, lo if precision == "day" else hi, precision))
            stats.by_precision[precision] += 1
            last_hi = hi
        plans.append((f"{drug}-{suffix}", title, publisher, kind, jur, holds_text, versions))
    # Spread the drug's n statements over the versions.
    slots = [(si, vi) for si, plan in enumerate(plans) for vi in range(len(plan[6]))]
    counts = [0] * len(slots)
    for i in range(n):
        counts[i % len(slots) if i < len(slots) else rng.randrange(len(slots))] += 1
    new_per_version = {slot: c for slot, c in zip(slots, counts, strict=True)}
    # Generate in publication order across the drug's sources, so overrides point back in time.
    order = sorted(slots, key=lambda sv: (plans[sv[0]][6][sv[1]][1], sv))
    defined: dict[str, _Stmt] = {}
    by_source: dict[int, list[str]] = {si: [] for si in range(len(plans))}
    entries: dict[tuple[int, int], list[str]] = {}
    counter = 0
    for si, vi in order:
        source_key, _title, _pub, _kind, jur, holds_text, versions = plans[si]
        _vkey, vlo, _vrec, vprec = versions[vi]
        lines: list[str] = []
        # Re-assert what the previous version of this source asserted, withdrawing some.
        previous = [k for k in by_source[si] if defined[k].active]
        kept = []
        for k in previous:
            if rng.random() < 0.12:
                defined[k].active = False
                stats.withdrawn += 1
            else:
                kept.append(k)
        fresh = []
        for _ in range(new_per_version[(si, vi)]):
            counter += 1
            vhi = _period(vlo, vprec)[1]
            fresh.append(_new_statement(rng, drug, label, source_key, counter, (vlo, vhi), defined, lines, jur))
            stats.statements += 1
        by_source[si] = kept + fresh
        # A second source sometimes records a statement another source published earlier.
        others = [k for k in defined if k not in set(by_source[si]) and defined[k].start < vlo]
        cross = rng.sample(others, min(len(others), rng.randint(0, 2))) if others else []
        entries[(si, vi)] = [*(f"asserts:{k}" for k in kept), *fresh, *(f"asserts:{k}" for k in cross)]
        _write_version(rng, out, plans[si], vi, entries[(si, vi)], defined, lines, holds_text, stats)
    for plan in plans:
        _write_source(out, plan, label, brand)
        stats.sources += 1
        stats.files += 1


def _new_statement(rng: random.Random, drug: str, label: str, source_key: str, n: int,
                   published_period: tuple[date, date],
                   defined: dict[str, _Stmt], lines: list[str], jur: str) -> str:
    published, published_hi = published_period
    key = f"{source_key}-s{n:04d}"
    topic = rng.choice(TOPICS)
    wording = WORDS[topic].format(
        label=label, cond=rng.choice(CONDITIONS), effect=rng.choice(EFFECTS), effect2=rng.choice(EFFECTS),
        dose=rng.choice((3, 5, 10, 12, 20, 40)), days=rng.randint(3, 5), hours=rng.randint(2, 8),
        weeks=rng.randint(2, 16), pct=rng.randint(20, 70), cd=rng.choice((20, 52, 19, 38))) + f" [ref {key}]"
    basis = rng.choices(("stated-in-text", "authority-decision", "publication-date"), (45, 20, 35))[0]
    fields = [f"  topic: {topic}\n"]
    if rng.random() < 0.1:
        fields.append(f"  jurisdiction: {jur}\n")
    if basis == "publication-date":
        start, start_hi = published, published_hi
    else:
        precision = rng.choices(("day", "month", "year"), (80, 12, 8))[0]
        day = _rand_day(rng, published - timedelta(days=400), published + timedelta(days=200))
        start, start_hi = _period(day, precision)
        fields.append(f"  valid_from: '{_partial(day, precision)}'\n")
    fields.append(f"  valid_from_basis: {basis}\n")
    temporary = rng.random() < 0.08
    end_hi: date | None = None
    if temporary or rng.random() < 0.06:
        until_precision = rng.choices(("day", "month", "year"), (80, 15, 5))[0]
        until = _rand_day(rng, start_hi + timedelta(days=30), start_hi + timedelta(days=900))
        ulo, uhi = _period(until, until_precision)
        if ulo < start_hi:  # keep [valid_from, valid_until) non-empty at any precision
            until_precision, (ulo, uhi) = "day", _period(until, "day")
        fields.append(f"  valid_until: '{_partial(until, until_precision)}'\n")
        end_hi = uhi
    if temporary:
        fields.append("  temporary: true\n")
    # Overrides: a quarter of statements override earlier ones of the same drug (chains up to MAX_DEPTH).
    targets: list[tuple[str, str]] = []
    if defined and rng.random() < 0.25:
        pool = list(defined)
        for _ in range(rng.randint(1, 2)):
            t = pool[rng.randrange(len(pool))]
            if defined[t].depth < MAX_DEPTH and t not in dict(targets):
                kind = "restricts" if temporary else rng.choice(("restricts", "replaces", "revokes"))
                targets.append((t, kind))
        # A replacement also overrides what its targets override (no chain brings a replaced statement back).
        closure = dict(targets)
        for t, kind in list(targets):
            for tt in defined[t].targets:
                closure.setdefault(tt, kind)
        depth_ok = all(defined[t].depth < MAX_DEPTH for t in closure)
        targets = sorted(closure.items()) if depth_ok else []
    depth = 1 + max((defined[t].depth for t, _ in targets), default=-1)
    if targets:
        fields.append("  overrides:\n")
        fields.extend(f"  - statement: {t}\n    kind: {kind}\n" for t, kind in targets)
    defined[key] = _Stmt(key, topic, wording, start, end_hi, depth, tuple(t for t, _ in targets))
    lines.append(f"- id: {key}\n  drug: {drug}\n" + "".join(fields))
    return key


def _write_version(rng: random.Random, out: Path, plan: tuple, vi: int, entries: list[str],
                   defined: dict[str, _Stmt], lines: list[str], holds_text: bool, stats: SynthStats) -> None:
    source_key, title, _pub, _kind, _jur, _holds, versions = plan
    vkey, _lo, _rec, _prec = versions[vi]
    vdir = out / "sources" / source_key / "versions" / vkey
    vdir.mkdir(parents=True)
    # A year-precise date is taken as reported (paraphrase); a day or a month as read in the version itself.
    confidence = "paraphrase" if len(vkey) == 4 else "verbatim"
    meta = [f"published: '{vkey}'\n", f"date_confidence: {confidence}\n",
            f"url: https://example.org/{source_key}/{vkey}\n"]
    if vi > 0:
        meta.append(f"revises: '{versions[vi - 1][0]}'\n")
    (vdir / "version.yaml").write_text("".join(meta), encoding="utf-8")
    # The definitions written by _new_statement, in order; asserts entries get their own lines.
    defs = iter(lines)
    text_parts: list[str] = [f"{title} — version of {vkey}\n\n"]
    offset = len(text_parts[0])
    out_lines: list[str] = []
    for entry in entries:
        is_assert = entry.startswith("asserts:")
        key = entry[len("asserts:"):] if is_assert else entry
        s = defined[key]
        head = f"- asserts: {key}\n" if is_assert else next(defs)
        if holds_text:
            start, end = offset, offset + len(s.wording)
            text_parts.append(s.wording + "\n\n")
            offset = end + 2
            record = f"  quote:\n    exact: {_y(s.wording)}\n    start: {start}\n    end: {end}\n"
            stats.quotes += 1
        else:
            # A citation's words are never verbatim: only a quote of a held text is.
            record = (f"  citation:\n    url: https://example.org/{source_key}/{vkey}#{key}\n"
                      f"    wording_confidence: {rng.choice(('paraphrase', 'paraphrase', 'unconfirmed'))}\n")
            stats.citations += 1
            head += f"  text: {_y(s.wording)}\n"
        if not is_assert and s.targets:
            stats.overrides += len(s.targets)
        if not is_assert and "temporary: true" in head:
            stats.temporary += 1
        out_lines.append(head + record)
        stats.assertions += 1
    (vdir / "statements.yaml").write_text("".join(out_lines), encoding="utf-8")
    files = 2
    if holds_text:
        (vdir / "text.txt").write_text("".join(text_parts), encoding="utf-8", newline="")
        files += 1
    stats.versions += 1
    stats.files += files


def _write_source(out: Path, plan: tuple, label: str, brand: str) -> None:
    source_key, title, publisher, kind, jur, _holds, _versions = plan
    sdir = out / "sources" / source_key
    sdir.mkdir(parents=True, exist_ok=True)
    (sdir / "source.yaml").write_text(
        f"title: {_y(title.format(label=label, brand=brand))}\npublisher: {_y(publisher)}\nkind: {kind}\n"
        f"jurisdiction: {jur}\nurl: https://example.org/{source_key}\n", encoding="utf-8")
