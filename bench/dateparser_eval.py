"""Compare dateparser with bot.core.timeparse on tests/core/test_timeparse.py's examples (issue 13).

Run from the repository root after `pip install dateparser` (not a dependency: it lost, see bench/README.md).
"""
import sys, time, warnings
warnings.filterwarnings("ignore")
sys.path.insert(0, ".")
from datetime import UTC, datetime
import dateparser
import pytest
from tests.core import test_timeparse as T
from bot.core.timeparse import parse_when, TimeParseError

def marks(fn):
    return [m for m in getattr(fn, "pytestmark", []) if m.name == "parametrize"][0].args[1]

accepted = [(t, e, T.NOW) for t, e in marks(T.test_reads_times_as_people_type_them)]
for h, m in T.EXAMPLE_MOMENTS:
    exp = datetime(2025, 12, 4, h - 1, m, tzinfo=UTC)
    tw = f"{h % 12 or 12}:{m:02d}pm"
    for t in (f"{h}h{m:02d}", f"4 décembre {h}h{m:02d}", f"04/12/2025 {h}h{m:02d} CET", tw, f"Dec 4 {tw}", f"December 4, 2025 {tw}"):
        accepted.append((t, exp, T.EVENING))
refused = [(t, T.NOW) for t, c in marks(T.test_refusals_have_stable_codes)]
spanish = [("4 de diciembre 12:08", datetime(2025, 12, 4, 11, 8, tzinfo=UTC)), ("ayer 23:10", datetime(2025, 12, 7, 22, 10, tzinfo=UTC)),
           ("4 dic 12:08", datetime(2025, 12, 4, 11, 8, tzinfo=UTC)), ("hoy 9:00", datetime(2025, 12, 8, 8, 0, tzinfo=UTC))]

def dp(text, now, tz):
    r = dateparser.parse(text, languages=["fr", "en", "es"], settings={
        "DATE_ORDER": "DMY", "PREFER_DATES_FROM": "past", "RELATIVE_BASE": now.astimezone(tz).replace(tzinfo=None),
        "TIMEZONE": tz.key, "RETURN_AS_TIMEZONE_AWARE": True, "STRICT_PARSING": False})
    if r is None:
        raise TimeParseError("unreadable", text=text)
    r = r.astimezone(UTC)
    if r > now:
        raise TimeParseError("future", text=text)
    return r

def ours(text, now, tz):
    return parse_when(text, now=now, tz=tz)

def run(name, fn, cases_ok, cases_refused):
    good = bad = 0; wrong = []
    start = time.perf_counter(); n = 0
    for t, e, now in cases_ok:
        n += 1
        try:
            r = fn(t, now, T.PARIS)
        except Exception as ex:
            r = type(ex).__name__
        if r == e: good += 1
        else: wrong.append((t, str(r)))
    ref_ok = 0
    for t, now in cases_refused:
        n += 1
        try:
            fn(t, now, T.PARIS)
            wrong.append((t, "accepted, should be refused"))
        except Exception:
            ref_ok += 1
    elapsed = time.perf_counter() - start
    print(f"{name}: accepted-correct {good}/{len(cases_ok)}, refusals-correct {ref_ok}/{len(cases_refused)}, {elapsed / n * 1000:.2f} ms/parse")
    for w in wrong[:40]:
        print("   ", w)

import bot.core.timeparse as tp
dp("12:08", T.NOW, T.PARIS)  # warm-up
run("dateparser 1.5.0", dp, accepted, refused)
run("dateparser 1.5.0 (Spanish)", dp, [(t, e, T.NOW) for t, e in spanish], [])
run("timeparse (dateutil)", ours, accepted, refused)
from bot.i18n import Catalogs  # noqa: E402

WORDS = Catalogs(languages=("fr", "en", "es")).time_words
run("timeparse (dateutil) (Spanish, CLDR words of fr,en,es)",
    lambda text, now, tz: parse_when(text, now=now, tz=tz, words=WORDS), [(t, e, T.NOW) for t, e in spanish], [])


# The hypothesis property "formatting then parsing returns the instant", on 300 drawn instants
# (same forms and zones as tests/core/test_timeparse.py), for both parsers.
def roundtrip(name, fn, n=300):
    import random
    from zoneinfo import ZoneInfo
    rng = random.Random(13)
    zones = [T.PARIS, ZoneInfo("UTC"), ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")]
    lo, hi = int(datetime(1971, 1, 1, tzinfo=UTC).timestamp()) // 60, int(T.REFERENCE_NOW.timestamp()) // 60
    good = total = 0
    start = time.perf_counter()
    while total < n * 3:
        instant = datetime.fromtimestamp(rng.randint(lo, hi) * 60, UTC)
        tz = rng.choice(zones)
        local = instant.astimezone(tz)
        if T._in_a_fold(local):
            continue
        for text in (local.strftime("%d/%m/%Y %Hh%M"), local.strftime("%b %d %Y %I:%M%p"), local.isoformat()):
            total += 1
            try:
                good += fn(text, T.REFERENCE_NOW, tz) == instant
            except Exception:
                pass
    print(f"{name}: round trip {good}/{total}, {(time.perf_counter() - start) / total * 1000:.2f} ms/parse")


roundtrip("dateparser 1.5.0", dp)
roundtrip("timeparse (dateutil)", ours)
