"""Place names as readers know them. Records hold ISO codes; pages show a common English name.

ISO 3166-2 gives each subdivision its name in the country's own romanisation, often with its type
("Zhejiang Sheng", "Shanghai Shi", "Chungcheongnam-do", "Wilayah Persekutuan Kuala Lumpur") or with
transliteration marks ("Gujarāt"). English-language news and data sites write "Zhejiang", "Shanghai",
"South Chungcheong", "Kuala Lumpur", "Gujarat". The rules below turn the standard's names into those,
and EXONYMS lists the names that no rule gives. The code always stays beside the name in the downloads.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from .validate import country_name, region_info

# Names English uses that differ from the romanised ISO name (after the rules below).
EXONYMS = {
    "CN-NM": "Inner Mongolia", "CN-XZ": "Tibet", "CN-HK": "Hong Kong", "CN-MO": "Macao",
    "IT-21": "Piedmont", "IT-25": "Lombardy", "IT-52": "Tuscany", "IT-82": "Sicily", "IT-88": "Sardinia",
    "IT-75": "Apulia", "IT-23": "Aosta Valley", "IT-32": "Trentino-South Tyrol",
    "MY-07": "Penang", "MY-04": "Malacca", "ID-KR": "Riau Islands", "ID-JK": "Jakarta",
    "KR-11": "Seoul", "KR-26": "Busan", "KR-27": "Daegu", "KR-28": "Incheon", "KR-29": "Gwangju",
    "KR-30": "Daejeon", "KR-31": "Ulsan", "KR-50": "Sejong", "KR-49": "Jeju",
}
# Type words that ISO appends to a name: "Zhejiang Sheng", "Guangxi Zhuangzu Zizhiqu".
_CN_SUFFIX = re.compile(r"\s+(?:Sheng|Shi|Tebiexingzhengqu|(?:Zhuangzu |Huizu |Uygur )?Zizhiqu)$")
_KR_DO = re.compile(r"^(.+?)(buk|bug|nam)-do$")
_PREFIX = re.compile(r"^(?:Wilayah Persekutuan|Daerah Khusus Ibukota|Daerah Istimewa)\s+")
# Transliteration marks (IAST for India's states) that English spelling leaves out; Vietnamese tone marks
# are part of the name as English-language sources print it ("Bắc Ninh"), so they stay.
_PLAIN_ASCII_COUNTRIES = {"IN", "PK", "LK", "BD", "NP"}


@cache
def region_name(code: str) -> str:
    """'CN-ZJ' -> 'Zhejiang', 'MY-14' -> 'Kuala Lumpur', 'KR-44' -> 'South Chungcheong', 'IN-GJ' -> 'Gujarat'."""
    if code in EXONYMS:
        return EXONYMS[code]
    info = region_info(code)
    if not info:
        return code
    name, country = info
    if country == "CN":
        name = _CN_SUFFIX.sub("", name)
    elif country == "KR":
        m = _KR_DO.match(name)
        name = f"{'South' if m.group(2) == 'nam' else 'North'} {m.group(1)}" if m else name.removesuffix("-do")
    elif country in _PLAIN_ASCII_COUNTRIES:
        name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return _PREFIX.sub("", name)


def region_label(code: str) -> str:
    """A region's name with its country, for places where the country is not shown beside it:
    'North West, Singapore', 'Zhejiang, China'."""
    info = region_info(code)
    return f"{region_name(code)}, {country_name(info[1])}" if info else code


# The language of a local name, from its script; Han characters also by country (simplified on the
# mainland, traditional in Taiwan, Hong Kong and Macao; kanji in Japan).
_SCRIPTS = {"HANGUL": "ko", "HIRAGANA": "ja", "KATAKANA": "ja", "THAI": "th", "GUJARATI": "gu",
            "DEVANAGARI": "hi", "TAMIL": "ta", "KANNADA": "kn", "TELUGU": "te", "ARABIC": "ar", "HEBREW": "he"}
_HAN = {"JP": "ja", "TW": "zh-Hant", "HK": "zh-Hant", "MO": "zh-Hant"}


def local_lang(text: str, country: str) -> str:
    """BCP 47 tag for a local-script name, for the lang attribute (screen readers and font choice);
    'und' (undetermined) when the script does not tell."""
    for ch in text:
        if not ch.isalpha():
            continue
        script = unicodedata.name(ch, "").split(" ")[0]
        if script == "CJK":
            return _HAN.get(country, "zh-Hans")
        if script in _SCRIPTS:
            return _SCRIPTS[script]
        if script == "LATIN" and country == "VN":
            return "vi"
    return "und"
