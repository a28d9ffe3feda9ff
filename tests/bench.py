"""Benchmark `check` and `build` at 100, 1,000 and 10,000 synthetic records (issue 7).

    .venv/bin/python -m tests.bench                          # 100, 1,000 (3 runs) and 10,000 (1 run)
    .venv/bin/python -m tests.bench --sizes 100,1000 --runs 2  # a quicker run

This is a benchmark, not a test: it asserts nothing about timings, and pytest does not collect it
(the module name does not start with test_). It generates N valid records (about 3.4 KB each,
deterministic: record i depends only on the seed and i) into a temporary content folder that copies
content/site.yaml, vocabularies.yaml and fx.yaml, then measures, each as the median of several runs:

- check: tracker.content.load_content in-process (and once `build.py check` as a subprocess);
- prepare: load, validate and derive (what the build does before rendering);
- render: write_tree, rendering and writing the Markdown docs tree on every core;
- mkdocs: `mkdocs build --strict` alone on that rendered tree, in a fresh process;
- full: `build.py build` (everything, atomically), in a fresh process, right before or after mkdocs alone
  (the order alternates between runs); full/mkdocs is the median of these per-run ratios. Each run also
  gives the full build's wall time over MkDocs' own build time inside it (from MkDocs' log line), which
  does not depend on the machine keeping one speed across the pair, and the CPU time the hypervisor
  stole from the machine during each child (/proc/stat), which says when it did not;
- audit: tracker.audit.audit_site alone, on the site mkdocs alone built;
- peak memory: the largest VmHWM of the timed `build.py build` runs' main process, and the peak summed PSS
  of it and its worker processes in one more, untimed, build (sampled every 50 ms, which costs CPU);
- page weight: HTML bytes of project pages and of the home, projects, timeline and summary pages;
- serve edit: tracker.serve.refresh after one record's title changes (the preview's own work).

It prints a table and writes everything to bench-output/bench.json (gitignored).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
OUT = ROOT / "bench-output"
AS_OF_LIMIT = (2026, 10)  # happened events stay before content/site.yaml's as_of (2026-11-25)

# country, currency, candidate regions (filtered against pycountry at run time), cities, weight
COUNTRIES = [
    (
        "CN",
        "CNY",
        ["CN-ZJ", "CN-JS", "CN-GD", "CN-SH", "CN-JX", "CN-SC", "CN-AH", "CN-HB"],
        ["Suzhou", "Wuxi", "Jiaxing", "Hefei", "Chengdu", "Wuhan", "Nantong", "Dongguan"],
        30,
    ),
    (
        "TW",
        "TWD",
        ["TW-MIA", "TW-CYQ", "TW-KHH", "TW-TXG", "TW-HSZ", "TW-TNN"],
        ["Zhunan", "Taibao", "Kaohsiung", "Taichung", "Hsinchu", "Tainan"],
        12,
    ),
    (
        "MY",
        "MYR",
        ["MY-07", "MY-02", "MY-04", "MY-14", "MY-13"],
        ["Batu Kawan", "Kulim", "Melaka", "Kuala Lumpur", "Kuching"],
        8,
    ),
    (
        "IN",
        "INR",
        ["IN-GJ", "IN-AS", "IN-KA", "IN-TN", "IN-UP", "IN-TS"],
        ["Sanand", "Jagiroad", "Bengaluru", "Chennai", "Noida", "Hyderabad"],
        8,
    ),
    ("KR", "KRW", ["KR-41", "KR-44", "KR-47", "KR-48"], ["Icheon", "Cheonan", "Gumi", "Changwon"], 7),
    ("JP", "JPY", ["JP-01", "JP-13", "JP-43", "JP-27"], ["Chitose", "Tokyo", "Kikuyo", "Osaka"], 6),
    ("SG", "SGD", ["SG-01", "SG-03", "SG-04"], ["Woodlands", "Tampines", "Jurong"], 4),
    ("VN", "VND", ["VN-54", "VN-HN", "VN-56", "VN-SG"], ["Bac Giang", "Hanoi", "Bac Ninh", "Ho Chi Minh City"], 5),
    ("ID", "IDR", ["ID-KR", "ID-JB", "ID-JT"], ["Batam", "Bekasi", "Semarang"], 3),
    ("DE", "EUR", ["DE-SN", "DE-BY"], ["Dresden", "Regensburg"], 3),
    ("IT", "EUR", ["IT-21", "IT-25"], ["Novara", "Agrate Brianza"], 2),
    (
        "US",
        "USD",
        ["US-AZ", "US-IN", "US-NY", "US-TX", "US-CA"],
        ["Peoria", "West Lafayette", "Malta", "Austin", "San Jose"],
        8,
    ),
    ("PH", "USD", ["PH-CEB", "PH-LAG"], ["Lapu-Lapu", "Calamba"], 2),
    ("MX", "USD", ["MX-JAL", "MX-CHH"], ["Guadalajara", "Ciudad Juarez"], 1),
    ("TH", "USD", ["TH-20", "TH-14"], ["Chonburi", "Ayutthaya"], 1),
]
# Rough centres of the bench's countries, for synthetic map points (not real places).
CENTRES = {"CN": (31.0, 118.0), "TW": (23.5, 120.8), "MY": (4.0, 101.5), "IN": (22.0, 78.0), "KR": (36.5, 127.5),
           "JP": (36.0, 138.0), "SG": (1.35, 103.8), "VN": (21.0, 105.8), "ID": (-2.0, 106.0), "DE": (50.5, 11.0),
           "IT": (45.3, 9.0), "US": (37.0, -98.0), "PH": (12.0, 122.5), "MX": (23.0, -102.0), "TH": (14.0, 100.8)}
PREFIXES = [
    "Apex",
    "Nova",
    "Orient",
    "Pacific",
    "Lotus",
    "Summit",
    "Crystal",
    "Delta",
    "Harbor",
    "Zenith",
    "Silverline",
    "Meridian",
    "Phoenix",
    "Sterling",
    "Horizon",
    "Granite",
    "Jade",
    "Cobalt",
    "Aurora",
    "Keystone",
    "Vertex",
    "Quantum",
    "Evergreen",
    "Polaris",
    "Redwood",
]
SUFFIXES = [
    "Semiconductor",
    "Microelectronics",
    "Packaging Technology",
    "Electronics",
    "Chip Test",
    "Integrated Circuits",
    "Advanced Materials",
    "Silicon",
    "Photonics",
    "Memory",
]
FORMS = ["Co., Ltd.", "Inc.", "Corporation", "Sdn. Bhd.", "Pte. Ltd.", "GmbH", "Limited"]
PUBLISHERS = [
    "Evertiq",
    "DIGITIMES Asia",
    "Nikkei Asia",
    "The Edge Malaysia",
    "Economic Times",
    "Korea Herald",
    "Taipei Times",
    "Reuters",
    "EE Times",
    "SEMI news",
    "Xinhua",
    "Business Standard",
    "VnExpress",
    "Handelsblatt",
    "Il Sole 24 Ore",
    "Yonhap",
    "The Star",
    "Jakarta Post",
    "Bangkok Post",
    "EE News",
]
WORDS = (
    "plant line capacity wafer panel substrate module assembly test cleanroom building equipment tool "
    "customer automotive server memory logic sensor power analog phase expansion investment hiring "
    "government subsidy park land lease contract schedule output volume pilot qualification"
).split()
FACTS = [
    ("Floor area", "m²", 1000, 200000),
    ("Cleanroom", "sq ft", 50000, 2000000),
    ("Site area", "ha", 2, 90),
    ("Jobs", "", 100, 5000),
    ("Monthly capacity", "wafers/month", 5000, 100000),
    ("Annual output", "million units/year", 10, 3000),
    ("Production lines", "", 2, 60),
]
MULTIPLES = {
    "CNY": 1e8,
    "TWD": 1e9,
    "MYR": 1e8,
    "INR": 1e9,
    "KRW": 1e11,
    "JPY": 1e10,
    "SGD": 1e8,
    "VND": 1e12,
    "IDR": 1e12,
    "EUR": 1e8,
    "USD": 1e8,
}


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _sentence(rng: random.Random, n: int) -> str:
    text = _words(rng, n)
    return text[0].upper() + text[1:] + "."


def _amount(rng: random.Random, currency: str) -> tuple[int, str]:
    """A round figure in the currency's usual range, as an exact int and as written."""
    value = int(rng.randint(2, 400) * MULTIPLES[currency] / 10)
    if value >= 10**9 and value % 10**7 == 0:
        return value, f"{value / 10**9:g} billion"
    if value >= 10**6 and value % 10**4 == 0:
        return value, f"{value / 10**6:g} million"
    return value, str(value)


class Generator:
    """Deterministic synthetic records from the real vocabularies and exchange-rate table."""

    def __init__(self, seed: int, content: Path = CONTENT):
        from tracker.validate import region_info

        self.seed = seed
        vocab = yaml.safe_load((content / "vocabularies.yaml").read_text(encoding="utf-8"))
        self.terms = {name: [t["term"] for t in vocab.get(name) or []] for name in vocab}
        fx = yaml.safe_load((content / "fx.yaml").read_text(encoding="utf-8"))
        self.rate_years: dict[str, set[int]] = {}
        for r in fx["rates"]:
            self.rate_years.setdefault(r["currency"], set()).add(int(r["year"]))
        self.countries = []
        for code, currency, regions, cities, weight in COUNTRIES:
            regions = [r for r in regions if region_info(r) and region_info(r)[1] == code]
            self.countries.append((code, currency, regions, cities, weight))
        self.weights = [c[4] for c in self.countries]
        rng = random.Random(seed)
        # 250 companies, so that "same company" links exist but are not everywhere
        self.companies = sorted({f"{p} {s} {rng.choice(FORMS)}" for p in PREFIXES for s in SUFFIXES})
        ev = set(self.terms["event_types"])
        self.happen_types = [
            t
            for t in (
                "construction-start",
                "groundbreaking",
                "equipment-move-in",
                "production-start",
                "opening",
                "expansion",
                "visit",
                "completion",
                "approved",
            )
            if t in ev
        ]

    def _years(self, currency: str) -> list[int]:
        """Years a figure in this currency can be stated in and still be converted."""
        if currency == "USD":
            return list(range(2019, 2026))
        return sorted(y for y in self.rate_years.get(currency, ()) if 2019 <= y <= 2025)

    def record(self, i: int) -> dict:
        rng = random.Random(self.seed * 1_000_003 + i)
        code, currency, regions, cities, _ = rng.choices(self.countries, self.weights)[0]
        if not self._years(currency):
            currency = "USD"
        year = rng.choice(self._years(currency))
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        announced = f"{year}-{month:02d}-{day:02d}"
        company = rng.choice(self.companies)
        j = rng.randrange(len(cities))
        city = cities[j]
        tech = rng.sample(self.terms["technologies"], k=min(len(self.terms["technologies"]), rng.randint(1, 3)))
        rid = f"bench-{i:05d}-{city.lower().replace(' ', '-')}"
        n_src = rng.randint(2, 5)
        sids = [f"s{k + 1}" for k in range(n_src)]
        cite_next = iter(sids * 20)  # round robin, so every source is cited

        def cites(k: int = 1) -> list[str]:
            return sorted({next(cite_next) for _ in range(k)})

        total, total_text = _amount(rng, currency)
        rec: dict = {
            "id": rid,
            "title": f"{company.split(' Co.')[0]} {city} {rng.choice(['advanced packaging', 'assembly and test', 'OSAT', 'back-end'])} plant {i}",
            "summary": f"{company} announced on {announced} a {total_text} {currency} project in {city}. "
            + " ".join(_sentence(rng, rng.randint(10, 18)) for _ in range(2)),
            "status": {
                "value": rng.choice([t for t in self.terms["statuses"] if t != "unknown"]),
                "as_of": f"{min(year + rng.randint(0, 2), 2026)}",
                "sources": cites(),
            },
            "segments": rng.sample(self.terms["segments"], k=rng.randint(1, 3)),
            "location": {
                "country": code,
                "city": city,
                "site": f"{city} {rng.choice(['Industrial Park', 'Science Park', 'Hi-Tech Zone', 'Free Trade Zone'])}",
                "sources": cites(),
            },
            "parties": [{"name": company, "role": "investor", "sources": cites()}],
        }
        if regions:
            rec["location"]["region"] = regions[j % len(regions)]
            if rng.random() < 0.5:
                rec["location"]["derived"] = ["region"]
        # A map point for four records in five (synthetic: near the country's rough centre), from a generator of
        # its own so that every other field stays what it was before points were added.
        spot = random.Random(self.seed * 7_919 + i)
        if spot.random() < 0.8:
            lat, lon = CENTRES[code]
            rec["location"]["coordinates"] = {
                "lat": f"{lat + spot.uniform(-2, 2):.4f}", "lon": f"{lon + spot.uniform(-2, 2):.4f}",
                "precision": "town", "gazetteer": "synthetic (bench)", "derived": True}
        if rng.random() < 0.7:
            rec["parties"].append({"name": f"{city} municipal government", "role": "government", "sources": cites()})
        if rng.random() < 0.3:
            rec["parties"].append(
                {
                    "name": rng.choice(self.companies),
                    "role": rng.choice(["partner", "contractor", "operator"]),
                    "sources": cites(),
                    "note": _sentence(rng, 6),
                }
            )
        if rng.random() < 0.1:
            rec["investment"] = {"amount": "undisclosed", "sources": cites()}
        else:
            rec["investment"] = {
                "amount": total_text,
                "currency": currency,
                "qualifier": rng.choice(["exact", "about", "up-to"]),
                "stated": announced,
                "as_reported": f"{total_text} {currency.lower()}",
                "sources": cites(2),
            }
        # Phases k start in year+1+k; their events fall inside that year, so every date rule holds.
        phases, events = (
            [],
            [
                {
                    "date": announced,
                    "type": rng.choice(["announced", "signed"]),
                    "text": _sentence(rng, 12),
                    "sources": cites(),
                }
            ],
        )
        for k in range(rng.choice([0, 1, 2, 2, 3])):
            start_y, start_m = year + 1 + k, rng.randint(1, 6)
            p = {
                "id": f"phase-{k + 1}",
                "name": f"Phase {k + 1}",
                "scope": _sentence(rng, rng.randint(8, 16)),
                "start": f"{start_y}-{start_m:02d}",
                "target": f"{start_y + 1}",
                "sources": cites(),
            }
            if rec["investment"]["amount"] != "undisclosed" and rng.random() < 0.6:
                share = total // 4
                p["investment"] = {"amount": str(share), "currency": currency, "qualifier": "about", "sources": cites()}
            phases.append(p)
            for _ in range(rng.randint(1, 2)):
                m = rng.randint(start_m, 12)
                planned = (start_y, m) > AS_OF_LIMIT or rng.random() < 0.2
                e = {
                    "date": f"{start_y}-{m:02d}",
                    "type": rng.choice(self.happen_types),
                    "text": _sentence(rng, 14),
                    "phase": p["id"],
                    "sources": cites(),
                }
                if planned:
                    e["planned"] = "true"
                events.append(e)
        if rng.random() < 0.4:
            fy = rng.choice([y for y in self._years(currency) if y >= year] or [year])
            amount, amount_text = _amount(rng, currency)
            events.append(
                {
                    "date": f"{fy}-{rng.randint(1, 12):02d}",
                    "type": "funding",
                    "text": _sentence(rng, 10),
                    "investment": {"amount": amount_text, "currency": currency, "stated": f"{fy}", "sources": cites()},
                    "sources": cites(),
                }
            )
        events.append(
            {
                "date": f"{year + 3}",
                "type": "production-start",
                "planned": "true",
                "text": _sentence(rng, 10),
                "sources": cites(),
            }
        )
        if phases:
            rec["phases"] = phases
        facts = []
        for _ in range(rng.randint(2, 5)):
            label, unit, lo, hi = rng.choice(FACTS)
            f = {"label": label, "value": str(rng.randint(lo, hi)), "sources": cites()}
            if unit:
                f["unit"] = unit
            if rng.random() < 0.4:
                f["qualifier"] = rng.choice(["about", "more-than", "up-to"])
            if phases and rng.random() < 0.3:
                f["phase"] = rng.choice(phases)["id"]
            facts.append(f)
        rec["facts"] = facts
        rec["events"] = events
        rec["products"] = [{"name": _sentence(rng, 5)[:-1], "sources": cites()} for _ in range(rng.randint(1, 2))]
        rec["technologies"] = [{"term": t, "sources": cites()} for t in tech]
        if rng.random() < 0.3:
            rec["markets"] = [{"name": _sentence(rng, 4)[:-1], "sources": cites()}]
        if rng.random() < 0.4:
            rec["notes"] = _sentence(rng, 20) + "\n\n" + _sentence(rng, 15) + "\n"
        if i > 0 and rng.random() < 0.05:
            rec["related"] = [{"id": self.id_of(i - 1), "relation": "same programme"}]
        rec["sources"] = [
            {
                "id": sid,
                "title": _sentence(rng, 8)[:-1],
                "publisher": rng.choice(PUBLISHERS),
                "url": f"https://news{rng.randint(1, 50)}.example.com/{year}/{i}/{sid}-{_words(rng, 3).replace(' ', '-')}",
                "date": f"{year}-{rng.randint(1, 12):02d}",
            }
            for sid in sids
        ]
        return rec

    def id_of(self, i: int) -> str:
        return self.record(i)["id"]

    def write(self, n: int, dest: Path) -> int:
        """Write a content folder with n records into dest; return the total bytes of the records."""
        dest.mkdir(parents=True)
        for name in ("site.yaml", "vocabularies.yaml", "fx.yaml"):
            shutil.copy(CONTENT / name, dest / name)
        (dest / "projects").mkdir()
        total = 0
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        for i in range(n):
            rec = self.record(i)
            text = yaml.dump(
                rec, Dumper=dumper, sort_keys=False, allow_unicode=True, width=110, default_flow_style=None
            )
            (dest / "projects" / f"{rec['id']}.yaml").write_text(text, encoding="utf-8")
            total += len(text.encode("utf-8"))
        return total


def cold() -> None:
    """Forget in-process caches (the record cache kept for `serve`) so each run pays what the CLI pays."""
    from tracker.content import clear_cache

    clear_cache()


def cpu_time() -> float:
    """CPU seconds of this process and of its finished children (the build's worker processes)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class Timer:
    """Wall and CPU seconds of named stages, several runs each; the machine may be shared, so CPU time
    (this process and its workers) is recorded beside wall time: it is far less disturbed by other load.
    With worker processes CPU time exceeds wall time: it is the work done, not the time waited."""

    def __init__(self):
        self.wall: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}

    def __call__(self, name: str, fn, *args, **kwargs):
        w0, c0 = time.perf_counter(), cpu_time()
        value = fn(*args, **kwargs)
        self.add(name, time.perf_counter() - w0, cpu_time() - c0)
        return value

    def add(self, name: str, wall: float, cpu: float) -> None:
        self.wall.setdefault(name, []).append(wall)
        self.cpu.setdefault(name, []).append(cpu)

    def last(self) -> str:
        return ", ".join(f"{k} {v[-1]:.2f}s" for k, v in self.wall.items())


# Runs a script as __main__ and, as it exits, reports the process's own peak RSS (VmHWM of its address space).
# Not ru_maxrss from wait4: Linux carries the parent's high-water mark into a forked child across exec, so
# a child of this (large) benchmark process would report at least the benchmark's own peak. build.py ends
# with os._exit (no atexit handlers), so the report hooks os._exit, in the main process only.
_HWM_WRAPPER = """
import atexit, os, runpy, sys
MAIN = os.getpid()
def _report():
    if os.getpid() == MAIN:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                sys.stderr.write("BENCH_VMHWM_KB " + line.split()[1] + "\\n")
                sys.stderr.flush()
_exit = os._exit
def _exit_reporting(code):
    _report()
    _exit(code)
os._exit = _exit_reporting
atexit.register(_report)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def _tree_pss_kib(pid: int) -> int:
    """Proportional set size of a process and all its descendants, in KiB. PSS shares each page among the
    processes that map it, so forked workers' copy-on-write pages are not counted twice."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue  # the process ended while we looked
    return total


def run_child(args: list[str], script: str = "build.py", sample_pss: bool = False) -> dict:
    """Run `python SCRIPT ARGS` in a fresh interpreter; return its wall and CPU seconds (its workers included:
    wait4 counts the children it reaped), exit code, its peak RSS in MiB (VmHWM of the main process, free to
    measure) and, with sample_pss, the peak PSS of the whole process tree, sampled every 50 ms.

    Sampling is not free: one read of smaps_rollup took 17 ms (14 ms of CPU) for a 700 MiB process, so the
    sampler kept a core about a third busy during a 10,000-record build, on a machine whose two cores the
    build uses. Timed runs therefore do not sample."""
    steal0 = steal_s()
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", _HWM_WRAPPER, script, *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    import threading

    peak = [0]
    done = threading.Event()

    def sample():
        while not done.wait(0.05):
            peak[0] = max(peak[0], _tree_pss_kib(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    if sample_pss:
        sampler.start()
    err = proc.stderr.read().decode("utf-8", "replace")
    done.set()
    if sample_pss:
        sampler.join()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    steal = steal_s() - steal0 if steal0 is not None else None
    if proc.returncode:
        sys.stderr.write(err[-2000:])
    hwm = [int(line.split()[1]) for line in err.splitlines() if line.startswith("BENCH_VMHWM_KB ")]
    inside = [float(m) for m in re.findall(r"^Documentation built in ([0-9.]+) seconds$", err, re.M)]
    return {
        "wall_s": wall,
        # MkDocs' own build() time in this process, from its log line: in the full build, the rest of the
        # wall time is start-up and our own work, measured in the same run and so immune to the machine
        # changing speed between the two runs of a pair.
        "mkdocs_inside_s": inside[-1] if inside else None,
        # Time the hypervisor gave this machine's virtual CPUs to others while the child ran (all CPUs).
        "steal_s": steal,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "exit": proc.returncode,
        "peak_rss_mib": hwm[-1] // 1024 if hwm else None,
        "peak_tree_pss_mib": peak[0] // 1024 or None,
    }


def steal_s() -> float | None:
    """CPU seconds stolen from this virtual machine by its hypervisor so far, summed over its CPUs (the
    `steal` column of /proc/stat), or None where the kernel does not say. A child that ran while much time
    was stolen ran slower than its neighbour in a pair for reasons outside it."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


# `mkdocs build --strict` on an already rendered docs tree, in a fresh interpreter: the same load_config and
# build calls as `build.py build` makes (tracker.site.engine_build), with the docs_dir override that
# mkdocs' own command line lacks. MkDocs logs its own build time, as it does inside `build.py build`.
MKDOCS_ALONE = """
import logging, sys
from pathlib import Path
logging.basicConfig(level=logging.WARNING, format="%(message)s")
logging.getLogger("mkdocs.commands.build").setLevel(logging.INFO)
sys.path.insert(0, {root!r})
from tracker.site import ROOT, engine_build
engine_build(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]) if len(sys.argv) > 3 else ROOT / "mkdocs.yml")
"""


def theme_search_config(work: Path) -> Path:
    """mkdocs.yml as it was before Pagefind: the theme's own search plugin on. The search index must not make
    the build slower than this (issue 25): the full build is compared with MkDocs building with it."""
    from tracker.site import ROOT as TROOT

    text = (TROOT / "mkdocs.yml").read_text()
    assert "plugins: []" in text, "bench: mkdocs.yml no longer says `plugins: []`; update theme_search_config"
    out = work / "mkdocs-theme-search.yml"
    out.write_text(text.replace("plugins: []", "plugins:\n  - search")  # paths in it are relative to its folder
                   .replace("custom_dir: overrides", f"custom_dir: {TROOT / 'overrides'}"))
    return out


def paired(run: int, docs: Path, content: Path, work: Path, script: Path) -> dict:
    """One pair: `mkdocs build` alone on the rendered tree, and the full `build.py build`, each a fresh process,
    back to back. The order alternates between runs, so that a machine getting slower or faster over the
    minutes of a pair does not always favour the same side."""
    def mkdocs_alone():
        return run_child([str(docs), str(work / "site-alone")], str(script))

    def full():
        return run_child(["--content", str(content), "build", "--site-dir", str(work / "site-full")])

    def mkdocs_search():
        return run_child([str(docs), str(work / "site-search"), str(theme_search_config(work))], str(script))

    order = [("mkdocs", mkdocs_alone), ("full", full), ("mkdocs_search", mkdocs_search)]
    if run % 2:
        order.reverse()
    out = {}
    for name, fn in order:
        out[name] = fn()
        if out[name]["exit"]:
            raise SystemExit(f"bench: {name} exited {out[name]['exit']}")
    out["first"] = order[0][0]
    out["ratio"] = out["full"]["wall_s"] / out["mkdocs"]["wall_s"]
    out["ratio_search"] = out["full"]["wall_s"] / out["mkdocs_search"]["wall_s"]
    inside, alone = out["full"]["mkdocs_inside_s"], out["mkdocs"]["mkdocs_inside_s"]
    # The same question asked inside one run: the full build's wall time over the time MkDocs' build()
    # took within it. And MkDocs' build() inside the full build over the same call alone.
    out["ratio_inside"] = out["full"]["wall_s"] / inside if inside else None
    out["mkdocs_inside_over_alone"] = inside / alone if inside and alone else None
    return out


def reader_timings(site: Path, query: str) -> dict:
    """What a reader waits for, in Chromium on this machine: the bytes of the home page plus one search, the time
    from the query to the first results (Pagefind's own 300 ms debounce included), and the time from navigation
    until the explorer has drawn its first view (tracker.js stamps it)."""
    from tests.browser import chromium, serve

    with serve(site) as url, chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        sizes = []
        page.on("requestfinished", lambda r: sizes.append(r.sizes()["responseBodySize"]))
        page.goto(url, wait_until="networkidle")
        page.keyboard.press("/")
        box = page.locator(".pagefind-ui__search-input")
        box.wait_for()
        start = time.perf_counter()
        box.fill(query)
        page.wait_for_selector(".pagefind-ui__result")
        first = time.perf_counter() - start
        page.wait_for_load_state("networkidle")
        out = {"search_query": query, "search_first_results_s": first, "search_bytes": sum(sizes),
               "search_requests": len(sizes)}
        sizes.clear()
        page.goto(url + "explore/", wait_until="load")
        page.wait_for_selector(".tr-explore[data-interactive]")
        out["explorer_interactive_s"] = float(page.evaluate(
            "document.querySelector('.tr-explore').dataset.interactiveMs")) / 1000
        page.wait_for_load_state("networkidle")
        out["explorer_bytes"] = sum(sizes)
        context.close()
    return out


def page_weights(site: Path) -> dict:
    def size(rel: str) -> int | None:
        p = site / rel
        return p.stat().st_size if p.exists() else None

    project = sorted(p.stat().st_size for p in (site / "projects").glob("*/index.html"))
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    others = [p for p in site.rglob("*.html") if p.parent.parent != site / "projects"]  # listing pages
    largest = max(others, key=lambda p: p.stat().st_size, default=None)
    return {
        "project_median": project[len(project) // 2] if project else None,
        "project_max": project[-1] if project else None,
        "home": size("index.html"),
        "projects_index": size("projects/index.html"),
        "timeline": size("timeline/index.html"),
        "summary": size("summary/index.html"),
        "search_index": sum(p.stat().st_size for p in (site / "pagefind").rglob("*") if p.is_file())
        if (site / "pagefind").is_dir() else None,
        "largest_other": largest.stat().st_size if largest else None,
        "largest_other_path": largest.relative_to(site).as_posix() if largest else None,
        "site_total": total,
        "html_files": sum(1 for _ in site.rglob("*.html")),
    }


def bench_size(gen: Generator, n: int, runs: int, work: Path, script: Path) -> dict:
    from tracker.audit import audit_site
    from tracker.content import load_content
    from tracker.site import ROOT as TROOT
    from tracker.site import prepare, renderer, write_tree

    content = work / f"content-{n}"
    g0 = time.perf_counter()
    nbytes = gen.write(n, content)
    gen_s = time.perf_counter() - g0
    print(
        f"[N={n}] generated {n} records ({nbytes / n / 1024:.1f} KiB each) in {gen_s:.1f} s; {runs} run(s)", flush=True
    )
    res: dict = {"n": n, "runs": runs, "generate_s": gen_s, "record_bytes_mean": nbytes / n}
    t, pairs = Timer(), []
    for r in range(runs):
        cold()
        t("check", load_content, content)
        t("check_cached", load_content, content)  # again, with the record cache `serve` relies on
        cold()
        docs = work / f"docs-{n}"
        data, derived = t("prepare", prepare, content)  # check + derive
        jobs = renderer(data, derived).jobs()
        del data, derived
        t("render", write_tree, jobs, TROOT / "docs", docs)  # render + write, on every core
        del jobs
        pair = paired(r, docs, content, work, script)
        pairs.append(pair)
        for k in ("mkdocs", "full", "mkdocs_search"):
            t.add(k, pair[k]["wall_s"], pair[k]["cpu_s"])
        findings = t("audit", audit_site, work / "site-alone")
        if findings:
            print(f"  audit findings: {findings[:3]}", flush=True)
        if r == runs - 1:
            res["pages"] = page_weights(work / "site-full")
            res.update(reader_timings(work / "site-full", gen.record(0)["title"].split()[0]))
            print(f"  reader: home + one search {res['search_bytes'] / 1024:,.0f} KiB in {res['search_requests']} "
                  f"requests, first results {res['search_first_results_s']:.2f} s after the query; explorer "
                  f"interactive {res['explorer_interactive_s']:.2f} s after navigation "
                  f"({res['explorer_bytes'] / 1024:,.0f} KiB)", flush=True)
        for d in (docs, work / "site-alone", work / "site-full", work / "site-search"):
            shutil.rmtree(d, ignore_errors=True)
        print(f"  run {r + 1}: {t.last()}; {pair['first']} first, full/mkdocs {pair['ratio']:.3f} "
              f"(full / its own mkdocs {fmt(pair['ratio_inside'], '.3f')}; stolen CPU s: mkdocs "
              f"{fmt(pair['mkdocs']['steal_s'], '.1f')}, full {fmt(pair['full']['steal_s'], '.1f')}), "
              f"peak RSS {pair['full']['peak_rss_mib']} MiB", flush=True)
    for k in t.wall:
        res[f"{k}_s"] = statistics.median(t.wall[k])
        res[f"{k}_cpu_s"] = statistics.median(t.cpu[k])
        res[f"{k}_all_s"] = [round(x, 3) for x in t.wall[k]]
    res["check_records_per_s"] = n / res["check_s"]
    res["check_records_per_cpu_s"] = n / res["check_cpu_s"]
    # The headline: the median of the per-run ratios of adjacent, alternated pairs. The ratio of the medians
    # is kept beside it; on a quiet machine the two agree.
    res["full_over_mkdocs"] = statistics.median(p["ratio"] for p in pairs)
    res["full_over_mkdocs_all"] = [round(p["ratio"], 4) for p in pairs]
    res["full_over_mkdocs_search"] = statistics.median(p["ratio_search"] for p in pairs)
    res["full_over_mkdocs_search_all"] = [round(p["ratio_search"], 4) for p in pairs]
    res["full_over_mkdocs_of_medians"] = res["full_s"] / res["mkdocs_s"]
    res["full_over_mkdocs_cpu"] = res["full_cpu_s"] / res["mkdocs_cpu_s"]
    inside = [p["ratio_inside"] for p in pairs if p["ratio_inside"]]
    res["full_over_mkdocs_inside"] = statistics.median(inside) if inside else None
    res["full_over_mkdocs_inside_all"] = [round(x, 4) for x in inside]
    slower = [p["mkdocs_inside_over_alone"] for p in pairs if p["mkdocs_inside_over_alone"]]
    res["mkdocs_inside_over_alone"] = statistics.median(slower) if slower else None
    res["steal_all_s"] = [[round(p[k]["steal_s"], 1) if p[k]["steal_s"] is not None else None
                           for k in ("mkdocs", "full")] for p in pairs]
    # Memory: the largest peak RSS over the timed runs, and the summed PSS of one more, untimed, build.
    res["build_peak_rss_mib"] = max(p["full"]["peak_rss_mib"] or 0 for p in pairs) or None
    res["mkdocs_peak_rss_mib"] = max(p["mkdocs"]["peak_rss_mib"] or 0 for p in pairs) or None
    res["pairs"] = pairs
    m = run_child(["--content", str(content), "build", "--site-dir", str(work / "site-full")], sample_pss=True)
    res["build_peak_pss_mib"], res["memory_run"] = m["peak_tree_pss_mib"], m
    shutil.rmtree(work / "site-full", ignore_errors=True)
    print(f"  memory: peak RSS {res['build_peak_rss_mib']} MiB (mkdocs alone {res['mkdocs_peak_rss_mib']} MiB); "
          f"an untimed build's processes peaked at {m['peak_tree_pss_mib']} MiB summed PSS", flush=True)
    res.update(serve_edit(content, work / f"serve-{n}"))
    print(f"  serve: first refresh {res['serve_first_s']:.2f}s, one record edited {res['serve_edit_s']:.2f}s "
          f"({res['serve_edit_files']} files rewritten)", flush=True)
    c = run_child(["--content", str(content), "check", "--quiet"])
    res["check_subprocess_s"], res["check_subprocess"] = c["wall_s"], c
    print(f"  subprocess: check {c['wall_s']:.2f}s (exit {c['exit']})", flush=True)
    shutil.rmtree(content, ignore_errors=True)
    return res


def serve_edit(content: Path, docs: Path, edits: int = 3) -> dict:
    """`serve` after an edit: the time tracker.serve.refresh takes to bring the docs tree up to date when
    one record's title changes (median of `edits`; the first refresh renders everything). MkDocs then
    rebuilds only the files refresh rewrote."""
    from tracker import serve

    serve._state.clear()
    serve._state["content"] = content
    start = time.perf_counter()
    serve.refresh(docs)
    first = time.perf_counter() - start
    files = sorted((content / "projects").glob("*.yaml"))
    record = files[len(files) // 2]
    text = record.read_text(encoding="utf-8")
    times, written = [], []
    for i in range(edits):
        record.write_text(text.replace("\ntitle: ", f"\ntitle: Edited {i} ", 1), encoding="utf-8")
        start = time.perf_counter()
        written.append(serve.refresh(docs))
        times.append(time.perf_counter() - start)
    record.write_text(text, encoding="utf-8")
    serve._state.clear()
    shutil.rmtree(docs, ignore_errors=True)
    return {"serve_first_s": first, "serve_edit_s": statistics.median(times),
            "serve_edit_all_s": [round(x, 3) for x in times], "serve_edit_files": max(written)}


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split(":", 1)[1].strip()
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu or platform.processor(),
        "mem_total": mem,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def speed_probe() -> float:
    """Best of 3 timings of a fixed pure-Python loop: how fast this machine runs Python right now. Shared
    cloud machines vary from day to day; comparing this figure says how comparable two runs are."""
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        total = 0
        for i in range(5_000_000):
            total += i
        best = min(best, time.perf_counter() - t0)
    return best


def fmt(v, spec: str = ".2f") -> str:
    return "—" if v is None else format(v, spec)


def table(results: list[dict], ratios: dict) -> str:
    cols = [
        ("N", "n", "d"),
        ("check s", "check_s", ".3f"),
        ("rec/s", "check_records_per_s", ",.0f"),
        ("check(cli) s", "check_subprocess_s", ".2f"),
        ("render s", "render_s", ".2f"),
        ("mkdocs s", "mkdocs_s", ".2f"),
        ("audit s", "audit_s", ".2f"),
        ("full s", "full_s", ".2f"),
        ("full/mk", "full_over_mkdocs", ".3f"),
        ("mk+search s", "mkdocs_search_s", ".2f"),
        ("full/mk+srch", "full_over_mkdocs_search", ".3f"),
        ("serve edit s", "serve_edit_s", ".2f"),
        ("peak MiB", "build_peak_rss_mib", "d"),
        ("tree PSS MiB", "build_peak_pss_mib", "d"),
        ("runs", "runs", "d"),
    ]
    lines = [" | ".join(f"{h:>12}" for h, _, _ in cols)]
    for r in results:
        lines.append(" | ".join(f"{fmt(r.get(k), s):>12}" for _, k, s in cols))
    for r in results:
        lines.append(f"full build / mkdocs with the theme's search plugin (the index it replaced) at N={r['n']}: "
                     + ", ".join(f"{x:.3f}" for x in r["full_over_mkdocs_search_all"]))
        if "search_bytes" in r:
            lines.append(f"  reader at N={r['n']}: home + one search ({r['search_query']!r}) "
                         f"{r['search_bytes'] / 1024:,.0f} KiB in {r['search_requests']} requests; first results "
                         f"{r['search_first_results_s']:.2f} s; explorer interactive {r['explorer_interactive_s']:.2f} s, "
                         f"{r['explorer_bytes'] / 1024:,.0f} KiB")
    for r in results:
        lines.append(f"full/mkdocs at N={r['n']}, per run (adjacent pairs, order alternated): "
                     + ", ".join(f"{x:.3f}" for x in r["full_over_mkdocs_all"])
                     + f"; ratio of the medians {r['full_over_mkdocs_of_medians']:.3f}")
        lines.append("  within each full build, its wall time / MkDocs' own build time in it: "
                     + ", ".join(f"{x:.3f}" for x in r["full_over_mkdocs_inside_all"])
                     + f"; MkDocs inside the build / MkDocs alone: {fmt(r['mkdocs_inside_over_alone'], '.3f')}"
                     + "; CPU seconds stolen by the hypervisor (mkdocs alone, full): "
                     + ", ".join(f"{fmt(a, '.1f')}/{fmt(b, '.1f')}" for a, b in r["steal_all_s"]))
    lines.append("")
    lines.append("CPU seconds, less disturbed by other load on a shared machine: of the bench and its workers for "
                 "check, render and audit; of the child process and the workers it reaped for mkdocs and full")
    ccols = ["check", "render", "mkdocs", "audit", "full"]
    lines.append(" | ".join(f"{h:>12}" for h in ["N", *ccols, "full/mk"]))
    for r in results:
        cells = [f"{r['n']:>12}"] + [f"{fmt(r.get(f'{k}_cpu_s')):>12}" for k in ccols]
        lines.append(" | ".join([*cells, f"{fmt(r.get('full_over_mkdocs_cpu')):>12}"]))
    lines.append("")
    pcols = [
        ("N", None),
        ("project med", "project_median"),
        ("project max", "project_max"),
        ("home", "home"),
        ("projects idx", "projects_index"),
        ("timeline", "timeline"),
        ("summary", "summary"),
        ("largest list", "largest_other"),
        ("search idx", "search_index"),
        ("site total", "site_total"),
    ]
    lines.append("page weight, KiB")
    lines.append(" | ".join(f"{h:>12}" for h, _ in pcols))
    for r in results:
        p = r["pages"]
        lines.append(
            " | ".join(
                [f"{r['n']:>12}"] + [f"{fmt(p[k] / 1024 if p.get(k) else None, ',.1f'):>12}" for _, k in pcols[1:]]
            )
        )
    for r in results:
        lines.append(f"largest page other than a project page at N={r['n']}: {r['pages'].get('largest_other_path')}")
    if ratios:
        lines.append("")
        lines.append(
            f"time ratio N={ratios['big']} / N={ratios['small']}: "
            + ", ".join(f"{k} {v:.2f}" for k, v in ratios["values"].items())
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="100,1000,10000", help="comma-separated record counts (default 100,1000,10000)")
    p.add_argument("--runs", type=int, default=3, help="runs per size below 10,000 (median reported; default 3)")
    p.add_argument("--large-runs", type=int, default=1, help="runs per size of 10,000 or more (default 1)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--out", default=str(OUT / "bench.json"), help="JSON output (default bench-output/bench.json)")
    args = p.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    for name in ("mkdocs", "tracker"):
        logging.getLogger(name).setLevel(logging.WARNING)

    sys.path.insert(0, str(ROOT))
    from tracker.site import ROOT as TROOT
    from tracker.site import prepare, renderer, write_tree

    gen = Generator(args.seed)
    probe = speed_probe()
    print(f"speed probe (5M-iteration Python loop, best of 3): {probe:.3f} s", flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    results: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as tmp:
        work = Path(tmp)
        # Warm-up (discarded): imports, template compilation and the theme's files in the page cache are
        # paid here, not by the first size.
        gen.write(20, work / "warm")
        data, derived = prepare(work / "warm")
        write_tree(renderer(data, derived).jobs(), TROOT / "docs", work / "warm-docs")
        script = work / "mkdocs_alone.py"
        script.write_text(MKDOCS_ALONE.format(root=str(ROOT)), encoding="utf-8")
        if run_child([str(work / "warm-docs"), str(work / "warm-site")], str(script))["exit"]:
            raise SystemExit("bench: mkdocs build failed on the warm-up records")
        for n in sizes:
            runs = args.large_runs if n >= 10000 else args.runs
            results.append(bench_size(gen, n, runs, work, script))
            ratios = ratio(results)
            report = {
                "machine": machine(),
                "command": "python -m tests.bench " + " ".join(argv or sys.argv[1:]),
                "seed": args.seed,
                "speed_probe_s": probe,
                "memory_method": "VmHWM (peak RSS) of the `build.py build` child process, reported by the child at exit, the "
                "largest over the timed runs; and the peak of the summed PSS of that process and its workers, "
                "sampled every 50 ms in one more build that is not timed",
                "results": results,
                "ratios": ratios,
            }
            # Written after every size, so a run that dies at 10,000 still leaves the smaller sizes.
            out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print()
    m = machine()
    end_probe = speed_probe()
    print(f"machine: {m['nproc']} CPU(s), {m['cpu']}, {m['mem_total']}, Python {m['python']}; "
          f"speed probe {probe:.3f} s at the start, {end_probe:.3f} s at the end")
    print(table(results, ratio(results)))
    print(f"\nwrote {out}")
    return 0


def ratio(results: list[dict]) -> dict:
    """10,000 / 1,000 (or the two largest sizes measured) time ratios."""
    by = {r["n"]: r for r in results}
    if 10000 in by and 1000 in by:
        big, small = 10000, 1000
    elif len(by) >= 2:
        small, big = sorted(by)[-2:]
    else:
        return {}
    keys = (
        "check_s",
        "render_s",
        "mkdocs_s",
        "audit_s",
        "full_s",
        "full_cpu_s",
        "mkdocs_cpu_s",
        "build_peak_rss_mib",
        "build_peak_pss_mib",
    )
    return {
        "big": big,
        "small": small,
        "values": {k: by[big][k] / by[small][k] for k in keys if by[big].get(k) and by[small].get(k)},
    }


if __name__ == "__main__":
    sys.exit(main())
