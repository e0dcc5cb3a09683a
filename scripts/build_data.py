#!/usr/bin/env python3
"""Regenerate the code tables shipped in ``src/otcoding/codes/data/``.

Inputs:

* the CMS-derived extracts in ``<shared>/data/cms/`` (their SHA-256 goes into every
  output header, so a reviewer can tell which copy of a CMS file ruled);
* the curated literal tables below, which carry what the CMS extracts do not: our own
  short descriptions, kinds, timed flags, dates, replacements, therapy designation and
  notes, each taken from the team's research notes (``shared/reference/code-tables.md``
  and ``shared/reference/medicare-rules.md``).

Usage::

    python scripts/build_data.py [--shared PATH] [--check]

``--check`` regenerates in memory and exits 1 when a shipped file differs, so CI can tell
that nobody hand-edited a data file.

Licensing guard: the verbatim RVU file carries AMA-copyright CPT short descriptors. We
read its DESCRIPTION column only to *refuse* any description of ours that equals or
contains one; no descriptor text is ever written out.

NCCI PTP "deletion date" (decision recorded here and in the ncci_ptp.csv header):
    Reading adopted: the deletion date is the LAST day the edit applies (inclusive), so
    ``effective_to = deletion_date``; rows with modifier indicator 9 never apply.
    Evidence (secondary; no CMS definition text was found with the search tool):
    * the data itself: in the 2024Q2 v30.1 extract every deletion date on an indicator 0/1
      row falls on a quarter's last day (12-31, 06-30, 09-30), while CMS quarterly versions
      take effect on a quarter's first day; the only quarter-first-day deletion dates
      (1996-01-01, 2020-01-01, 2020-10-01, ...) sit on indicator-9 rows, i.e. edits deleted
      retroactively to their own effective date (the January 2020 evaluation edits CMS
      withdrew, medicare-rules.md §3.5);
    * Frank Cohen's analysis of NCCI v16.3 (managemypractice.com, "The Cohen Report: NCCI
      16.3 analysis for edits effective October 1, 2010"): the release's changes "have an
      effective and/or termination date of October 1, 2010 or September 30, 2010", and the
      v16.1 analysis speaks of edits "terminated retroactive to December 31, 2005": the
      termination date is the old quarter's last day;
    * the Palmetto GBA NCCI page (palmettogba.com, published 2024-06-20) only names the
      columns (effective date, deletion date if applicable, CCMI, rationale).
    Status: UNCONFIRMED against CMS text (MEDIUM confidence). The alternative reading
    (first day no longer applied) would differ by one day per deleted edit.
    Start dates: the extract carries no effective dates, so effective_from is empty for
    every row (the row applies to any date of service up to its deletion date). Active
    rows therefore apply to any date of service, edition recorded as 2024Q2 v30.1.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "otcoding" / "codes" / "data"

RVU_FILE = "PPRRVU2025_Oct.csv"
RVU_EXTRACT = "pfs_rvu_2025_oct_ot_extract.csv"
HCPCS_EXTRACT = "hcpcs2026_jan_ot_extract.csv"
PTP_FILE = "ncci_ptp_practitioner_2024q2_ot_pairs.csv"
MUE_FILE = "ncci_mue_2024q2_ot_extract.csv"
POS_FILE = "place_of_service_codes.csv"

PTP_EDITION = "2024Q2 v30.1"
MUE_EDITION = "2024-04-01"

NOSTART = "start date not recorded (UNCONFIRMED)"
ALWAYS75 = "therapy: always (2025 RVU signals PC/TC 7 + MPPR 5; CMS list itself not retrieved)"
SOMETIMES_UNC = "therapy: sometimes (UNCONFIRMED; secondary sources only)"

SOURCE_KEYS = {
    "S1": "CMS 2025 PFS Relative Value File, October release RVU25D (PPRRVU2025_Oct.csv)",
    "S2": "CMS HCPCS Level II file HCPC2026_JAN_ANWEB_01122026 (hcpcs2026_jan_ot_extract.csv)",
    "S3": "CMS 2020 alpha-numeric HCPCS file (rendered by GitHub wamuir/hcpcs)",
    "S4": "CMS NCCI practitioner PTP edits v30.1, quarter from 2024-04-01",
    "S5": "CMS NCCI MUE tables effective 2024-04-01 (practitioner, outpatient hospital, DME)",
    "S6": "CMS place-of-service code set (pin dated 2024-06-28)",
    "S10": "2018 therapy CPT changes (functionalpathways.com; pt-management.com)",
    "S11": "2020 cognitive-code change (htstherapy.com; ptmedicalbilling.com)",
    "S12": "2017 evaluation-code replacement (webpt.com/cpt-codes; AOTA CE article)",
    "S13": "0552T effective 2019-07-01 (findacode.com)",
    "S14": "2026 RTM changes (fairpath.ai; AAPC)",
    "S15": "NGS 2024 annual update to the therapy code list: remote therapeutic monitoring",
    "S17b": "PTA/OTA modifiers required 2020, 85% from 2022 (webpt.com; elitelearning.com)",
    "S18": "Caregiver training codes 97550-97552 from 2024-01-01 (NGS)",
    "S20": "POS 27 CR 13314; POS 66 Transmittal 12779; POS 19/22 MM9231; POS 58 CR 11353",
    "S21": "POS facility/non-facility list (medicalbillingcertify.com)",
    "S22": "RTM codes introduced 2022 (mtelehealth.com)",
    "CT": "shared/reference/code-tables.md (team research notes)",
    "MR": "shared/reference/medicare-rules.md (team research notes)",
}


def d(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


# --------------------------------------------------------------------------------------
# Curated procedure rows (CPT and HCPCS Level II). Descriptions are our own words.
# Tuple fields: code, system, description, kind, timed, unit_minutes, typical_minutes,
# effective_from, effective_to, replaced_by, add_on_to, therapy, source, note
# --------------------------------------------------------------------------------------

Row = tuple[
    str,
    str,
    str,
    str,
    bool,
    "int | None",
    "int | None",
    "str | None",
    "str | None",
    str,
    str,
    str,
    str,
    str,
]


def proc(
    code: str,
    description: str,
    kind: str,
    *,
    system: str = "CPT",
    timed: bool = False,
    unit: int | None = None,
    typical: int | None = None,
    start: str | None = None,
    end: str | None = None,
    replaced_by: str = "",
    add_on_to: str = "",
    therapy: str = "",
    source: str,
    note: str = "",
) -> Row:
    if timed and unit is None:
        unit = 15
    notes = [n for n in (note,) if n]
    if start is None and "start date" not in note:
        notes.append(NOSTART)
    return (
        code,
        system,
        description,
        kind,
        timed,
        unit,
        typical,
        start,
        end,
        replaced_by,
        add_on_to,
        therapy,
        source,
        "; ".join(notes),
    )


EV, RE, TM, UT, TB, OR, SU, MO, OT = (
    "evaluation",
    "reevaluation",
    "timed treatment",
    "untimed treatment",
    "time-based, not 15-minute",
    "orthotic",
    "supply",
    "remote monitoring",
    "other",
)

PROCEDURES: list[Row] = [
    # --- evaluations (code-tables §1a; medicare-rules §6, §9) ---
    proc(
        "97165",
        "Occupational therapy initial evaluation, low complexity (brief history, "
        "few performance deficits, straightforward decision-making)",
        EV,
        typical=30,
        start="2017-01-01",
        therapy="always",
        source="CT §1a; MR §9; S1; S12",
        note=ALWAYS75 + "; GO required (CR 10176)",
    ),
    proc(
        "97166",
        "Occupational therapy initial evaluation, moderate complexity",
        EV,
        typical=45,
        start="2017-01-01",
        therapy="always",
        source="CT §1a; MR §9; S1; S12",
        note=ALWAYS75 + "; GO required (CR 10176)",
    ),
    proc(
        "97167",
        "Occupational therapy initial evaluation, high complexity",
        EV,
        typical=60,
        start="2017-01-01",
        therapy="always",
        source="CT §1a; MR §9; S1; S12",
        note=ALWAYS75 + "; GO required (CR 10176)",
    ),
    proc(
        "97168",
        "Occupational therapy re-evaluation of an established plan of care "
        "(the OT re-evaluation code)",
        RE,
        typical=30,
        start="2017-01-01",
        therapy="always",
        source="CT §1a; MR §9; S1; S12",
        note=ALWAYS75 + "; GO required (CR 10176)",
    ),
    proc(
        "97161",
        "Physical therapy initial evaluation, low complexity (a PT code, billed "
        "with GP; listed for contrast)",
        EV,
        start="2017-01-01",
        therapy="always",
        source="CT §1a; S1; S12",
        note=ALWAYS75 + "; PT code (GP), not OT",
    ),
    proc(
        "97162",
        "Physical therapy initial evaluation, moderate complexity (PT code, GP)",
        EV,
        start="2017-01-01",
        therapy="always",
        source="CT §1a; S1; S12",
        note=ALWAYS75 + "; PT code (GP), not OT",
    ),
    proc(
        "97163",
        "Physical therapy initial evaluation, high complexity (PT code, GP)",
        EV,
        start="2017-01-01",
        therapy="always",
        source="CT §1a; S1; S12",
        note=ALWAYS75 + "; PT code (GP), not OT",
    ),
    proc(
        "97164",
        "Physical therapy re-evaluation of an established plan of care (PT code, GP)",
        RE,
        start="2017-01-01",
        therapy="always",
        source="CT §1a; S1; S12",
        note=ALWAYS75 + "; PT code (GP), not OT",
    ),
    proc(
        "97003",
        "Occupational therapy evaluation, single level (retired)",
        EV,
        end="2016-12-31",
        replaced_by="97165 97166 97167",
        source="CT §1d; MR §9; S12",
    ),
    proc(
        "97004",
        "Occupational therapy re-evaluation, single level (retired)",
        RE,
        end="2016-12-31",
        replaced_by="97168",
        source="CT §1d; MR §9; S12",
    ),
    proc(
        "97001",
        "Physical therapy evaluation, single level (retired; PT code)",
        EV,
        end="2016-12-31",
        replaced_by="97161 97162 97163",
        source="CT §1d; MR §9; S12",
    ),
    proc(
        "97002",
        "Physical therapy re-evaluation, single level (retired; PT code)",
        RE,
        end="2016-12-31",
        replaced_by="97164",
        source="CT §1d; MR §9; S12",
    ),
    # --- timed 15-minute treatment codes (code-tables §1b, §1c) ---
    proc(
        "97110",
        "Exercise to develop strength, endurance, range of motion or flexibility, "
        "one or more body areas",
        TM,
        timed=True,
        therapy="always",
        source="CT §1b; S1; S12",
        note=ALWAYS75,
    ),
    proc(
        "97112",
        "Neuromuscular re-education of movement, balance, coordination, posture and body awareness",
        TM,
        timed=True,
        therapy="always",
        source="CT §1b; S1; S12",
        note=ALWAYS75,
    ),
    proc(
        "97113",
        "Exercise performed in a pool (aquatic therapy)",
        TM,
        timed=True,
        therapy="always",
        source="CT §1b; S1; S12",
        note=ALWAYS75,
    ),
    proc(
        "97116",
        "Walking (gait) training, stair climbing included",
        TM,
        timed=True,
        therapy="always",
        source="CT §1b; S1; S12",
        note=ALWAYS75,
    ),
    proc(
        "97140",
        "Hands-on techniques: joint mobilisation or manipulation, soft-tissue "
        "work, manual lymph drainage or traction, one or more regions",
        TM,
        timed=True,
        therapy="always",
        source="CT §1b; S1; S12",
        note=ALWAYS75,
    ),
    proc(
        "97530",
        "Dynamic functional tasks done one-on-one to improve performance (e.g. "
        "transfers, reaching, lifting)",
        TM,
        timed=True,
        therapy="always",
        source="CT §1b; S1; S12",
        note=ALWAYS75,
    ),
    proc(
        "97533",
        "Sensory-integration techniques to improve sensory processing and adaptive responses",
        TM,
        timed=True,
        therapy="always",
        source="CT §1b; S1",
        note=ALWAYS75,
    ),
    proc(
        "97535",
        "Self-care and home-management training (ADLs, compensatory strategies, "
        "meal preparation, safety, adaptive equipment); a timed treatment, not a "
        "re-evaluation",
        TM,
        timed=True,
        therapy="always",
        source="CT §0, §1b; S1; S12",
        note=ALWAYS75,
    ),
    proc(
        "97537",
        "Community or work reintegration training (e.g. shopping, transport, "
        "money management, job tasks)",
        TM,
        timed=True,
        therapy="always",
        source="CT §1b; S1",
        note=ALWAYS75,
    ),
    proc(
        "97542",
        "Wheelchair management: assessment, fitting and training",
        TM,
        timed=True,
        therapy="always",
        source="CT §1b; S1",
        note=ALWAYS75,
    ),
    proc(
        "97750",
        "Testing or measuring physical performance (e.g. functional capacity), "
        "with a written report",
        TM,
        timed=True,
        therapy="always",
        source="CT §1b; S1",
        note=ALWAYS75,
    ),
    proc(
        "97755",
        "Assistive-technology assessment to restore or augment function, with a written report",
        TM,
        timed=True,
        therapy="always",
        source="CT §1b; S1",
        note=ALWAYS75,
    ),
    proc(
        "97760",
        "Orthotic management and training including assessment and fitting "
        "(wording before the 2018 split into initial and subsequent encounters)",
        TM,
        timed=True,
        end="2017-12-31",
        therapy="always",
        source="CT §1b; MR §9; S10",
        note=ALWAYS75,
    ),
    proc(
        "97760",
        "Orthotic management and training including assessment and fitting, "
        "initial orthotic encounter",
        TM,
        timed=True,
        start="2018-01-01",
        therapy="always",
        source="CT §1b; MR §9; S1; S10",
        note=ALWAYS75 + "; descriptor limited to the initial encounter from 2018-01-01",
    ),
    proc(
        "97761",
        "Prosthetic training (wording before the 2018 split into initial and "
        "subsequent encounters)",
        TM,
        timed=True,
        end="2017-12-31",
        therapy="always",
        source="CT §1b; MR §9; S10",
        note=ALWAYS75,
    ),
    proc(
        "97761",
        "Prosthetic training, initial prosthetic encounter",
        TM,
        timed=True,
        start="2018-01-01",
        therapy="always",
        source="CT §1b; MR §9; S1; S10",
        note=ALWAYS75 + "; descriptor limited to the initial encounter from 2018-01-01",
    ),
    proc(
        "97763",
        "Orthotic or prosthetic management and/or training, subsequent encounter",
        TM,
        timed=True,
        start="2018-01-01",
        therapy="always",
        source="CT §1b; MR §9; S1; S10",
        note=ALWAYS75 + "; replaced 97762",
    ),
    proc(
        "97129",
        "Intervention for cognitive function (attention, memory, reasoning, "
        "executive function, compensatory strategies), first 15 minutes; once per day",
        TM,
        timed=True,
        start="2020-01-01",
        therapy="sometimes",
        source="CT §1b; MR §9; S1; S11",
        note=SOMETIMES_UNC + "; replaced 97127 and G0515; first unit of the pair",
    ),
    proc(
        "97130",
        "Cognitive-function intervention, each further 15 minutes (add-on to 97129)",
        TM,
        timed=True,
        start="2020-01-01",
        add_on_to="97129",
        therapy="sometimes",
        source="CT §1b; MR §9; S1; S11",
        note=SOMETIMES_UNC,
    ),
    proc(
        "97124",
        "Massage (effleurage, petrissage, tapotement); mainly PT, listed because "
        "it appears in NCCI edits",
        TM,
        timed=True,
        therapy="always",
        source="CT §1b; S1",
        note=ALWAYS75,
    ),
    proc(
        "97032",
        "Electrical stimulation applied by hand, with constant attendance",
        TM,
        timed=True,
        therapy="always",
        source="CT §1c; S1",
        note=ALWAYS75,
    ),
    proc(
        "97033",
        "Iontophoresis (medication delivered by electric current)",
        TM,
        timed=True,
        therapy="always",
        source="CT §1c; S1",
        note=ALWAYS75,
    ),
    proc(
        "97034",
        "Alternating hot and cold (contrast) baths",
        TM,
        timed=True,
        therapy="always",
        source="CT §1c; S1",
        note=ALWAYS75,
    ),
    proc(
        "97035",
        "Ultrasound applied as a treatment modality",
        TM,
        timed=True,
        therapy="always",
        source="CT §1c; S1",
        note=ALWAYS75,
    ),
    proc(
        "97036",
        "Hubbard tank (full-body immersion) treatment",
        TM,
        timed=True,
        therapy="always",
        source="CT §1c; S1",
        note=ALWAYS75,
    ),
    proc(
        "97551",
        "Caregiver training without the patient present, each further 15 minutes (add-on to 97550)",
        TM,
        timed=True,
        start="2024-01-01",
        add_on_to="97550",
        therapy="sometimes",
        source="CT §1b; MR §3.1, §9; S1; S18",
        note="therapy: sometimes (CMS 2024 annual therapy update per MR §3.1; CT marks it "
        "UNCONFIRMED)",
    ),
    proc(
        "97532",
        "Cognitive skills development, per 15 minutes (retired)",
        TM,
        timed=True,
        end="2017-12-31",
        replaced_by="97127 G0515",
        source="CT §1d; MR §9; S10",
        note="CPT successor 97127; Medicare used G0515",
    ),
    proc(
        "97762",
        "Checkout for orthotic or prosthetic use, established patient, per 15 minutes (retired)",
        TM,
        timed=True,
        end="2017-12-31",
        replaced_by="97763",
        source="CT §1d; MR §9; S10",
    ),
    proc(
        "G0515",
        "Medicare code for cognitive skills development, per 15 minutes (retired)",
        TM,
        system="HCPCS",
        timed=True,
        start="2018-01-01",
        end="2019-12-31",
        replaced_by="97129 97130",
        source="CT §1d, §2; MR §9; S10; S11",
        note="Medicare's substitute for CPT 97127 in 2018-2019",
    ),
    # --- untimed ---
    proc(
        "97010",
        "Application of hot or cold packs (bundled: never paid separately by Medicare)",
        UT,
        source="CT §1c; S1",
        note="therapy designation UNCONFIRMED (PC/TC 9)",
    ),
    proc(
        "97012",
        "Traction applied by a mechanical device",
        UT,
        therapy="always",
        source="CT §1c; S1",
        note=ALWAYS75,
    ),
    proc(
        "97014",
        "Unattended electrical stimulation (not valid for Medicare, which uses G0283)",
        UT,
        source="CT §1c; S1; S2",
        note="therapy designation n/a for Medicare",
    ),
    proc(
        "97016",
        "Vasopneumatic (compression) device treatment",
        UT,
        therapy="always",
        source="CT §1c; S1",
        note=ALWAYS75,
    ),
    proc("97018", "Paraffin wax bath", UT, therapy="always", source="CT §1c; S1", note=ALWAYS75),
    proc("97022", "Whirlpool treatment", UT, therapy="always", source="CT §1c; S1", note=ALWAYS75),
    proc(
        "97024",
        "Deep heating by diathermy, such as microwave",
        UT,
        therapy="always",
        source="CT §1c; S1",
        note=ALWAYS75,
    ),
    proc(
        "97026", "Infrared heat treatment", UT, therapy="always", source="CT §1c; S1", note=ALWAYS75
    ),
    proc(
        "97028",
        "Ultraviolet light treatment",
        UT,
        therapy="always",
        source="CT §1c; S1",
        note=ALWAYS75,
    ),
    proc(
        "97150",
        "Therapeutic procedure delivered to a group of two or more patients (one "
        "unit per patient per session)",
        UT,
        therapy="always",
        source="CT §1b; MR §8; S1",
        note=ALWAYS75,
    ),
    proc(
        "92526",
        "Treatment of swallowing dysfunction and/or oral function for feeding",
        UT,
        therapy="always",
        source="CT §1e; S1",
        note=ALWAYS75,
    ),
    proc(
        "92610",
        "Clinical (non-instrumental) evaluation of swallowing function",
        UT,
        therapy="always",
        source="CT §1e; S1",
        note="therapy: always (PC/TC 7, MPPR 0; label UNCONFIRMED)",
    ),
    proc(
        "97597",
        "Selective debridement of an open wound, first 20 sq cm or less",
        UT,
        therapy="sometimes",
        source="CT §1e; S1",
        note=SOMETIMES_UNC + "; area-based",
    ),
    proc(
        "97598",
        "Selective wound debridement, each further 20 sq cm (add-on to 97597)",
        UT,
        add_on_to="97597",
        therapy="sometimes",
        source="CT §1e; S1",
        note=SOMETIMES_UNC + "; area-based",
    ),
    proc(
        "97602",
        "Non-selective wound debridement (e.g. wet-to-moist dressings, enzymes)",
        UT,
        therapy="sometimes",
        source="CT §1e; S1",
        note=SOMETIMES_UNC,
    ),
    proc(
        "97605",
        "Negative-pressure wound therapy using durable equipment, wound area up to 50 sq cm",
        UT,
        therapy="sometimes",
        source="CT §1e; S1",
        note=SOMETIMES_UNC + "; area-based",
    ),
    proc(
        "97606",
        "Negative-pressure wound therapy using durable equipment, wound area over 50 sq cm",
        UT,
        therapy="sometimes",
        source="CT §1e; S1",
        note=SOMETIMES_UNC + "; area-based",
    ),
    proc(
        "29125",
        "Applying a static short-arm splint (forearm to hand)",
        UT,
        therapy="sometimes",
        source="CT §1e; S1",
        note=SOMETIMES_UNC + "; global 000",
    ),
    proc(
        "29126",
        "Applying a dynamic short-arm splint (forearm to hand)",
        UT,
        therapy="sometimes",
        source="CT §1e; S1",
        note=SOMETIMES_UNC + "; global 000",
    ),
    proc(
        "29130",
        "Applying a static finger splint",
        UT,
        therapy="sometimes",
        source="CT §1e; S1",
        note=SOMETIMES_UNC + "; global 000",
    ),
    proc(
        "29131",
        "Applying a dynamic finger splint",
        UT,
        therapy="sometimes",
        source="CT §1e; S1",
        note=SOMETIMES_UNC + "; global 000",
    ),
    proc(
        "29280",
        "Taping (strapping) of the hand or a finger",
        UT,
        therapy="sometimes",
        source="CT §1e; S1",
        note=SOMETIMES_UNC + "; global 000",
    ),
    proc(
        "95851",
        "Range-of-motion measurements with report, each extremity other than the "
        "hand, or each trunk section",
        UT,
        therapy="sometimes",
        source="CT §1e; S1",
        note=SOMETIMES_UNC,
    ),
    proc(
        "95852",
        "Range-of-motion measurements with report, hand (with or without the other side)",
        UT,
        therapy="sometimes",
        source="CT §1e; S1",
        note=SOMETIMES_UNC,
    ),
    proc(
        "96110",
        "Developmental screening with a scored, standardised instrument, per instrument",
        UT,
        source="CT §1e; S1",
        note="therapy designation UNCONFIRMED (PC/TC 9); Medicare non-covered",
    ),
    proc(
        "97552",
        "Caregiver training in a group, without the patient present",
        UT,
        start="2024-01-01",
        therapy="sometimes",
        source="CT §1b; MR §3.1, §9; S1; S18",
        note="therapy: sometimes (CMS 2024 annual therapy update per MR §3.1; CT marks it "
        "UNCONFIRMED)",
    ),
    proc(
        "97039",
        "Modality not listed elsewhere (its type and time must be stated)",
        UT,
        therapy="always",
        source="CT §1c; S1",
        note="unlisted code: time depends on the service; therapy: always per PC/TC 7 "
        "(MPPR 0; UNCONFIRMED)",
    ),
    proc(
        "97139",
        "Unlisted therapeutic procedure (must be described)",
        UT,
        therapy="always",
        source="CT §1c; S1",
        note="unlisted code: time depends on the service; therapy: always per PC/TC 7 "
        "(MPPR 0; UNCONFIRMED)",
    ),
    proc(
        "97799",
        "Unlisted physical medicine or rehabilitation service or procedure",
        UT,
        therapy="always",
        source="CT §1c; S1",
        note="unlisted code: time depends on the service; therapy: always per PC/TC 7 "
        "(MPPR 0; UNCONFIRMED)",
    ),
    proc(
        "G0283",
        "Medicare code: unattended electrical stimulation to one or more areas "
        "for non-wound indications within a therapy plan of care (in place of 97014)",
        UT,
        system="HCPCS",
        therapy="always",
        source="CT §1c, §2; S1; S3",
        note=ALWAYS75 + "; add year UNCONFIRMED (present in 2020 and 2025 CMS files)",
    ),
    proc(
        "G0281",
        "Medicare code: unattended electrical stimulation for chronic wounds "
        "(pressure, venous, arterial or diabetic ulcers)",
        UT,
        system="HCPCS",
        therapy="always",
        source="CT §1c; S1",
        note=ALWAYS75,
    ),
    proc(
        "0552T",
        "Category III: laser treatment at low power using dynamic photonic and "
        "thermokinetic energy, by a physician or other qualified professional",
        UT,
        start="2019-07-01",
        therapy="sometimes",
        source="CT §1c; S1; S13",
        note=SOMETIMES_UNC + " (PC/TC 0, MPPR 0)",
    ),
    proc(
        "97127",
        "Cognitive-function intervention, per day (retired; not recognised by "
        "Medicare, which used G0515)",
        UT,
        start="2018-01-01",
        end="2019-12-31",
        replaced_by="97129 97130",
        source="CT §1d; MR §9; S10; S11",
        note="Medicare status I in 2018-2019 (not from the 2025 RVU file)",
    ),
    # --- time-based, not 15-minute ---
    proc(
        "97545",
        "Work conditioning or hardening programme, first 2 hours",
        TB,
        unit=120,
        therapy="always",
        source="CT §1b; S1",
        note="therapy: always per list (PC/TC 7, MPPR 0; UNCONFIRMED)",
    ),
    proc(
        "97546",
        "Work conditioning or hardening programme, each further hour (add-on to 97545)",
        TB,
        unit=60,
        add_on_to="97545",
        therapy="always",
        source="CT §1b; S1",
        note="therapy: as 97545 (UNCONFIRMED)",
    ),
    proc(
        "96112",
        "Developmental test administration with scoring, interpretation and report, first hour",
        TB,
        unit=60,
        therapy="sometimes",
        source="CT §1e; S1",
        note=SOMETIMES_UNC + "; added 2019 per notes, " + NOSTART,
    ),
    proc(
        "96113",
        "Developmental test administration, each further 30 minutes (add-on to 96112)",
        TB,
        unit=30,
        add_on_to="96112",
        therapy="sometimes",
        source="CT §1e; S1",
        note=SOMETIMES_UNC + "; added 2019 per notes, " + NOSTART,
    ),
    proc(
        "96111",
        "Extended developmental testing (retired; deletion UNCONFIRMED)",
        UT,
        end="2018-12-31",
        replaced_by="96112 96113",
        source="CT §1d (UNCONFIRMED)",
        note="deletion 2019-01-01 and successors UNCONFIRMED: not checked against a "
        "source; " + NOSTART,
    ),
    proc(
        "97550",
        "Caregiver training without the patient present, first 30 minutes",
        TB,
        unit=30,
        start="2024-01-01",
        therapy="sometimes",
        source="CT §1b; MR §3.1, §9; S1; S18",
        note="therapy: sometimes (CMS 2024 annual therapy update per MR §3.1; CT marks it "
        "UNCONFIRMED)",
    ),
    proc(
        "98980",
        "Remote therapeutic monitoring treatment management, first 20 minutes in "
        "a calendar month (needs at least one live interaction)",
        TB,
        unit=20,
        start="2022-01-01",
        therapy="sometimes",
        source="CT §1e; S1; S14; S15; S22",
        note="therapy: sometimes",
    ),
    proc(
        "98981",
        "Remote therapeutic monitoring treatment management, each further 20 "
        "minutes in the month (add-on to 98980)",
        TB,
        unit=20,
        start="2022-01-01",
        add_on_to="98980",
        therapy="sometimes",
        source="CT §1e; S1; S14; S15; S22",
        note="therapy: sometimes",
    ),
    proc(
        "98979",
        "Remote therapeutic monitoring treatment management, first 10 minutes in a calendar month",
        TB,
        unit=10,
        start="2026-01-01",
        therapy="sometimes",
        source="CT §1e; S14",
        note="therapy: sometimes; not in the 2025 RVU file",
    ),
    # --- remote therapeutic monitoring: device and set-up codes ---
    proc(
        "98975",
        "Remote therapeutic monitoring: initial set-up and patient education on "
        "the device, once per episode",
        MO,
        start="2022-01-01",
        therapy="sometimes",
        source="CT §1e; S1; S14; S15; S22",
        note="therapy: sometimes",
    ),
    proc(
        "98976",
        "Remote therapeutic monitoring device supply, respiratory system, each 30 days",
        MO,
        start="2022-01-01",
        end="2025-12-31",
        therapy="sometimes",
        source="CT §1e; S1; S14; S15",
        note="therapy: sometimes",
    ),
    proc(
        "98976",
        "Remote therapeutic monitoring device supply, respiratory system, 16 to "
        "30 days of data in 30 days",
        MO,
        start="2026-01-01",
        therapy="sometimes",
        source="CT §1e; S14",
        note="therapy: sometimes; descriptor revised 2026-01-01",
    ),
    proc(
        "98977",
        "Remote therapeutic monitoring device supply, musculoskeletal system, each 30 days",
        MO,
        start="2022-01-01",
        end="2025-12-31",
        therapy="sometimes",
        source="CT §1e; S1; S14; S15",
        note="therapy: sometimes",
    ),
    proc(
        "98977",
        "Remote therapeutic monitoring device supply, musculoskeletal system, 16 "
        "to 30 days of data in 30 days",
        MO,
        start="2026-01-01",
        therapy="sometimes",
        source="CT §1e; S14",
        note="therapy: sometimes; descriptor revised 2026-01-01",
    ),
    proc(
        "98978",
        "Remote therapeutic monitoring device supply, cognitive behavioural therapy, each 30 days",
        MO,
        therapy="sometimes",
        source="CT §1e; S1",
        note="therapy: sometimes (UNCONFIRMED for 98978); in CPT 2022 per secondary "
        "sources, " + NOSTART,
    ),
    proc(
        "98984",
        "Remote therapeutic monitoring device supply, respiratory system, 2 to 15 "
        "days of data in 30 days",
        MO,
        start="2026-01-01",
        therapy="sometimes",
        source="CT §1e; S14",
        note="therapy: sometimes",
    ),
    proc(
        "98985",
        "Remote therapeutic monitoring device supply, musculoskeletal system, 2 "
        "to 15 days of data in 30 days",
        MO,
        start="2026-01-01",
        therapy="sometimes",
        source="CT §1e; S14",
        note="therapy: sometimes",
    ),
    proc(
        "98986",
        "Remote therapeutic monitoring device supply, cognitive behavioural "
        "therapy, 2 to 15 days of data in 30 days",
        MO,
        start="2026-01-01",
        therapy="sometimes",
        source="CT §1e; S14",
        note="therapy: sometimes (UNCONFIRMED for 98986)",
    ),
    # --- HCPCS Level II other than orthoses (code-tables §2) ---
    proc(
        "E1399",
        "Durable medical equipment, miscellaneous (no specific code exists)",
        OT,
        system="HCPCS",
        source="CT §2; S3; S5",
    ),
    proc(
        "A9270",
        "Item or service Medicare does not cover (reported to obtain a denial, e.g. "
        "for a secondary payer)",
        OT,
        system="HCPCS",
        source="CT §2; S1; S3",
    ),
    proc(
        "A4556",
        "Electrodes (e.g. for an electrical stimulation unit), per pair",
        SU,
        system="HCPCS",
        source="CT §2; S1; S3",
        note="bundled supply (status P)",
    ),
    proc(
        "A4580",
        "Cast supplies such as plaster",
        SU,
        system="HCPCS",
        source="CT §2; S1; S3",
        note="status I: Medicare uses Q4001-Q4051 casting codes (UNCONFIRMED as current rule)",
    ),
    proc(
        "A4590",
        "Casting material of a special kind, such as fiberglass",
        SU,
        system="HCPCS",
        source="CT §2; S1; S3",
        note="status I",
    ),
    proc(
        "G0151",
        "Home health or hospice: physical therapist services, each 15 minutes "
        "(home health claims, not Part B therapy claims)",
        OT,
        system="HCPCS",
        source="CT §2; S1; S3",
    ),
    proc(
        "G0152",
        "Home health or hospice: occupational therapist services, each 15 minutes "
        "(home health claims, not Part B therapy claims)",
        OT,
        system="HCPCS",
        source="CT §2; S1; S3",
    ),
    proc(
        "G0157",
        "Home health or hospice: physical therapist assistant services, each 15 "
        "minutes (home health claims)",
        OT,
        system="HCPCS",
        source="CT §2; S3",
    ),
    proc(
        "G0158",
        "Home health or hospice: occupational therapy assistant services, each "
        "15 minutes (home health claims)",
        OT,
        system="HCPCS",
        source="CT §2; S1; S3",
    ),
    proc(
        "G0160",
        "Home health: occupational therapist establishing or delivering a "
        "maintenance programme, each 15 minutes (home health claims)",
        OT,
        system="HCPCS",
        source="CT §2; S1; S3",
    ),
    proc(
        "G0129",
        "Occupational therapy in a partial-hospitalisation or intensive "
        "outpatient programme, per session",
        OT,
        system="HCPCS",
        source="CT §2; S1",
    ),
    proc(
        "L3702",
        "Elbow orthosis without joints, custom fabricated",
        OR,
        system="HCPCS",
        source="CT §2; S3; S5",
        note="in the 2020 HCPCS file; dates not read",
    ),
]

# Orthotic codes read from the 2026 HCPCS extract: our own wording, CMS dates.
ORTHOTIC_TEXT: dict[str, str] = {
    "L3740": "Elbow orthosis with arm and forearm cuffs and an adjustable locking joint "
    "with active control",
    "L3760": "Elbow orthosis with adjustable locking joint(s), prefabricated and "
    "custom-fitted by an expert",
    "L3761": "Elbow orthosis with adjustable locking joint(s), prefabricated off-the-shelf",
    "L3762": "Rigid elbow orthosis without joints, off-the-shelf",
    "L3763": "Elbow-wrist-hand orthosis, rigid, no joints, custom fabricated",
    "L3764": "Elbow-wrist-hand orthosis with joint(s), custom fabricated",
    "L3765": "Elbow-wrist-hand-finger orthosis, rigid, no joints, custom fabricated",
    "L3766": "Elbow-wrist-hand-finger orthosis with joint(s), custom fabricated",
    "L3806": "Wrist-hand-finger orthosis with non-torsion joint(s), turnbuckles or springs, "
    "custom fabricated",
    "L3807": "Wrist-hand-finger orthosis without joints, prefabricated and custom-fitted "
    "by an expert",
    "L3808": "Wrist-hand-finger orthosis, rigid, no joints, custom fabricated",
    "L3809": "Wrist-hand-finger orthosis without joints, off-the-shelf",
    "L3891": "Add-on torsion mechanism at the wrist or elbow of a custom orthosis",
    "L3900": "Dynamic flexor-hinge (tenodesis) wrist-hand-finger orthosis, wrist or finger "
    "driven, custom fabricated",
    "L3901": "Dynamic flexor-hinge wrist-hand-finger orthosis, cable driven, custom fabricated",
    "L3904": "Externally powered (electric) wrist-hand-finger orthosis, custom fabricated",
    "L3905": "Wrist-hand orthosis with non-torsion joint(s), custom fabricated",
    "L3906": "Wrist-hand orthosis without joints, custom fabricated",
    "L3908": "Wrist-hand orthosis controlling wrist extension (cock-up), non-molded, off-the-shelf",
    "L3912": "Hand-finger orthosis: flexion glove with elastic finger control, off-the-shelf",
    "L3913": "Hand-finger orthosis without joints, custom fabricated",
    "L3915": "Wrist-hand orthosis with non-torsion joint(s), prefabricated and "
    "custom-fitted by an expert",
    "L3916": "Wrist-hand orthosis with non-torsion joint(s), off-the-shelf",
    "L3917": "Hand orthosis for a metacarpal fracture, prefabricated and custom-fitted by "
    "an expert",
    "L3918": "Hand orthosis for a metacarpal fracture, off-the-shelf",
    "L3919": "Hand orthosis without joints, custom fabricated",
    "L3921": "Hand-finger orthosis with non-torsion joint(s), custom fabricated",
    "L3923": "Hand-finger orthosis without joints, prefabricated and custom-fitted by an expert",
    "L3924": "Hand-finger orthosis without joints, off-the-shelf",
    "L3925": "Finger orthosis (PIP/DIP) with a joint or spring, off-the-shelf",
    "L3927": "Finger orthosis (PIP/DIP) without joint or spring, e.g. static or ring type, "
    "off-the-shelf",
    "L3929": "Hand-finger orthosis with non-torsion joint(s), prefabricated and "
    "custom-fitted by an expert",
    "L3930": "Hand-finger orthosis with non-torsion joint(s), off-the-shelf",
    "L3931": "Wrist-hand-finger orthosis with non-torsion joint(s), prefabricated, fitting "
    "included",
    "L3933": "Finger orthosis without joints, custom fabricated",
    "L3935": "Finger orthosis with a non-torsion joint, custom fabricated",
    "L3956": "Adding a joint to an upper-extremity orthosis, per joint",
    "L3960": "Shoulder-elbow-wrist-hand orthosis holding the arm in abduction (airplane "
    "design), prefabricated",
    "L3961": "Shoulder-elbow-wrist-hand orthosis, shoulder-cap design, no joints, custom "
    "fabricated",
    "L3962": "Shoulder-elbow-wrist-hand orthosis holding the arm in abduction for Erb's palsy",
    "L3967": "Shoulder-elbow-wrist-hand orthosis, abduction (airplane) design, no joints, "
    "custom fabricated",
    "L3980": "Upper-extremity fracture orthosis for the humerus, prefabricated",
    "L3981": "Upper-extremity fracture orthosis for the humerus, shoulder-cap design with "
    "forearm section, prefabricated",
    "L3982": "Upper-extremity fracture orthosis for the radius and ulna, prefabricated",
    "L3984": "Upper-extremity fracture orthosis for the wrist, prefabricated",
    "L3995": "Sock worn under a fracture orthosis (or equivalent), each",
    "L3999": "Upper-limb orthosis not otherwise specified (a description is required)",
    "L4002": "Replacement strap for any orthosis, all parts included",
    "L4205": "Orthosis repair: labour, per 15 minutes",
    "L4210": "Orthosis repair: replacing minor parts",
    "L4392": "Replacement soft interface for a static ankle-foot orthosis",
    "L4394": "Replacement soft interface for a foot-drop splint",
    "L4396": "Ankle-foot orthosis (AFO), static or dynamic, for positioning (minimal walking "
    "possible), soft adjustable interface, prefabricated and custom-fitted by an "
    "expert; an ankle-foot orthosis, not an elbow orthosis",
    "L4397": "Ankle-foot orthosis (AFO), static or dynamic, for positioning, off-the-shelf "
    "(twin of L4396)",
    "L4398": "Foot-drop splint used as a recumbent positioning device, off-the-shelf",
}

# Codes whose "always therapy" label rests on the RVU signals: checked at build time.
# --------------------------------------------------------------------------------------
# Modifiers (code-tables §4; medicare-rules §3). HCPCS dates come from the extract.
# code -> (system, description, category, start, end, source, note)
# --------------------------------------------------------------------------------------
MODIFIERS: dict[str, tuple[str, str, str, str | None, str | None, str, str]] = {
    "GO": (
        "HCPCS",
        "Service under an outpatient occupational therapy (OT) plan of care; "
        "the OT discipline modifier",
        "discipline",
        None,
        None,
        "CT §0, §4; MR §3.1; S2",
        "required on OT lines (always-therapy codes, and sometimes-therapy codes under an OT plan)",
    ),
    "GP": (
        "HCPCS",
        "Service under an outpatient physical therapy (PT) plan of care; the PT "
        "discipline modifier, not for OT",
        "discipline",
        None,
        None,
        "CT §0, §4; MR §3.1; S2",
        "",
    ),
    "GN": (
        "HCPCS",
        "Service under an outpatient speech-language pathology (SLP) plan of "
        "care; the SLP discipline modifier, not for OT",
        "discipline",
        None,
        None,
        "CT §4; MR §3.1; S2",
        "92526/92610 by an OT still take GO",
    ),
    "CO": (
        "HCPCS",
        "Outpatient OT service furnished wholly or partly by an occupational therapy assistant",
        "assistant",
        None,
        None,
        "CT §4; MR §3.4, §13; S2; S17b",
        "in HCPCS from 2019-01-01; required on claims from 2020-01-01 when the "
        "assistant furnishes more than 10% of the service; paid at 85% from "
        "2022-01-01; pairs with GO",
    ),
    "CQ": (
        "HCPCS",
        "Outpatient PT service furnished wholly or partly by a physical therapist assistant",
        "assistant",
        None,
        None,
        "CT §4; MR §3.4, §13; S2; S17b",
        "in HCPCS from 2019-01-01; required from 2020-01-01; 85% from 2022-01-01; "
        "pairs with GP (PT only)",
    ),
    "KX": (
        "HCPCS",
        "Medical-policy requirements met; in therapy, attests medical "
        "necessity once the year's therapy spending passes the KX threshold",
        "threshold",
        None,
        None,
        "CT §4; MR §3.2, §3.3; S2",
        "",
    ),
    "59": (
        "CPT",
        "Distinct procedural service, separate from another non-E/M service the "
        "same day; use only when no X modifier fits",
        "distinct",
        None,
        None,
        "CT §4; MR §3.5",
        "NCCI-associated modifier; " + NOSTART,
    ),
    "XE": (
        "HCPCS",
        "Separate encounter (a more specific subset of 59)",
        "distinct",
        None,
        None,
        "CT §4; MR §3.5; S2",
        "CR 8863",
    ),
    "XS": (
        "HCPCS",
        "Separate organ or structure (a more specific subset of 59)",
        "distinct",
        None,
        None,
        "CT §4; MR §3.5; S2",
        "CR 8863",
    ),
    "XP": (
        "HCPCS",
        "Separate practitioner (a more specific subset of 59)",
        "distinct",
        None,
        None,
        "CT §4; MR §3.5; S2",
        "CR 8863",
    ),
    "XU": (
        "HCPCS",
        "Unusual non-overlapping service (a more specific subset of 59)",
        "distinct",
        None,
        None,
        "CT §4; MR §3.5; S2",
        "CR 8863",
    ),
    "95": (
        "CPT",
        "Synchronous telemedicine over real-time audio and video",
        "telehealth",
        None,
        None,
        "CT §4; MR §3.6, §13",
        NOSTART,
    ),
    "93": (
        "CPT",
        "Synchronous telemedicine over audio only",
        "telehealth",
        None,
        None,
        "CT §4; MR §3.6, §13",
        NOSTART,
    ),
    "FQ": (
        "HCPCS",
        "Service furnished with audio-only technology (Medicare audio-only indicator)",
        "telehealth",
        None,
        None,
        "CT §4; MR §3.6; S2",
        "",
    ),
    "GT": (
        "HCPCS",
        "Via interactive audio and video telecommunication (older telehealth "
        "modifier; CAH method II institutional claims only)",
        "telehealth",
        None,
        None,
        "CT §4; MR §3.6, §13; S2",
        "not used on professional claims",
    ),
    "76": (
        "CPT",
        "Repeat procedure or service by the same physician or qualified "
        "professional on the same day",
        "repeat",
        None,
        None,
        "CT §4; MR §3.7",
        NOSTART,
    ),
    "77": (
        "CPT",
        "Repeat procedure by another physician or qualified professional",
        "repeat",
        None,
        None,
        "CT §4; MR §3.7",
        NOSTART,
    ),
    "52": (
        "CPT",
        "Reduced service: part of the service was not performed",
        "reduced",
        None,
        None,
        "CT §4; MR §3.7",
        NOSTART,
    ),
    "96": (
        "CPT",
        "Habilitative service (learning or keeping skills never developed)",
        "habilitative",
        "2018-01-01",
        None,
        "CT §4; MR §3.9",
        "Medicare use UNCONFIRMED; payer-specific",
    ),
    "97": (
        "CPT",
        "Rehabilitative service (regaining lost or impaired function)",
        "habilitative",
        "2018-01-01",
        None,
        "CT §4; MR §3.9",
        "Medicare use UNCONFIRMED; payer-specific",
    ),
    "22": (
        "CPT",
        "Increased procedural services (substantially more work than usual); not "
        "for therapy timed codes",
        "increased",
        None,
        None,
        "CT §4",
        NOSTART,
    ),
    "25": (
        "CPT",
        "Significant, separately identifiable E/M service on the day of a "
        "procedure; not applicable to therapists",
        "em",
        None,
        None,
        "CT §4",
        NOSTART,
    ),
    "51": (
        "CPT",
        "Multiple procedures; not used on physical medicine and rehabilitation codes",
        "multiple",
        None,
        None,
        "CT §4",
        NOSTART,
    ),
    "GA": (
        "HCPCS",
        "Required ABN (waiver of liability) on file for this case",
        "abn",
        None,
        None,
        "CT §4; MR §3.8; S2",
        "",
    ),
    "GX": (
        "HCPCS",
        "Voluntary notice of liability issued (e.g. for an excluded service)",
        "abn",
        None,
        None,
        "CT §4; MR §3.8; S2",
        "",
    ),
    "GY": (
        "HCPCS",
        "Item or service excluded by statute or not a Medicare benefit",
        "abn",
        None,
        None,
        "CT §4; MR §3.8; S2",
        "",
    ),
    "GZ": (
        "HCPCS",
        "Expected to be denied as not reasonable and necessary; no ABN on file",
        "abn",
        None,
        None,
        "CT §4; MR §3.8; S2",
        "",
    ),
    "LT": ("HCPCS", "Left side of the body", "anatomic", None, None, "CT §4; S2", ""),
    "RT": ("HCPCS", "Right side of the body", "anatomic", None, None, "CT §4; S2", ""),
    "J5": (
        "HCPCS",
        "Off-the-shelf orthosis under DMEPOS competitive bidding furnished by a "
        "PT or OT as part of a professional service",
        "dme",
        None,
        None,
        "CT §4; S2",
        "",
    ),
    "KV": (
        "HCPCS",
        "DMEPOS competitive-bid item furnished as part of a professional service",
        "dme",
        None,
        None,
        "CT §4; S2",
        "",
    ),
    "RA": (
        "HCPCS",
        "Replacement of a DME, orthotic or prosthetic item",
        "dme",
        None,
        None,
        "CT §4; S2",
        "",
    ),
    "RB": (
        "HCPCS",
        "Replacement of a part of a DME, orthotic or prosthetic item during a repair",
        "dme",
        None,
        None,
        "CT §4; S2",
        "",
    ),
    "NU": ("HCPCS", "New equipment (purchase)", "dme", None, None, "CT §4; S2", ""),
    "CG": (
        "HCPCS",
        "Policy criteria applied",
        "policy",
        None,
        None,
        "CT §4; S2",
        "relevance to OT UNCONFIRMED",
    ),
    "GD": (
        "HCPCS",
        "Units of service above the MUE value but reasonable and necessary (terminated)",
        "mue",
        None,
        None,
        "CT §4; S2",
        "terminated 2019-12-31",
    ),
}
DIGITS = {
    "FA": ("hand", "Left hand, thumb"),
    "F1": ("hand", "Left hand, second digit"),
    "F2": ("hand", "Left hand, third digit"),
    "F3": ("hand", "Left hand, fourth digit"),
    "F4": ("hand", "Left hand, fifth digit"),
    "F5": ("hand", "Right hand, thumb"),
    "F6": ("hand", "Right hand, second digit"),
    "F7": ("hand", "Right hand, third digit"),
    "F8": ("hand", "Right hand, fourth digit"),
    "F9": ("hand", "Right hand, fifth digit"),
    "TA": ("foot", "Left foot, great toe"),
    "T1": ("foot", "Left foot, second digit"),
    "T2": ("foot", "Left foot, third digit"),
    "T3": ("foot", "Left foot, fourth digit"),
    "T4": ("foot", "Left foot, fifth digit"),
    "T5": ("foot", "Right foot, great toe"),
    "T6": ("foot", "Right foot, second digit"),
    "T7": ("foot", "Right foot, third digit"),
    "T8": ("foot", "Right foot, fourth digit"),
    "T9": ("foot", "Right foot, fifth digit"),
}

# --------------------------------------------------------------------------------------
# Place of service: dates and notes not carried by the CSV (code-tables §3, MR §7.3, S20)
# code -> list of (name override or "", start, end, source, note)
# --------------------------------------------------------------------------------------
POS_HISTORY: dict[str, list[tuple[str, str | None, str | None, str, str]]] = {
    "02": [
        (
            "Telehealth",
            "2017-01-01",
            "2021-12-31",
            "CT §3; MR §7.3; S6",
            "original name; definition revised 2022-01-01 (CR 12427); pre-2022 short name "
            "UNCONFIRMED",
        ),
        (
            "",
            "2022-01-01",
            None,
            "CT §3; MR §7.3; S6; S21",
            "patient not at home; Medicare implementation April 2022 (CR 12427)",
        ),
    ],
    "10": [
        (
            "",
            "2022-01-01",
            None,
            "CT §3; MR §7.3; S6; S21",
            "patient at home; new 2022-01-01, Medicare implementation 2022-04-04 (CR 12427)",
        )
    ],
    "19": [("", "2016-01-01", None, "CT §3; MR §7.3; S6; S20", "created 2016-01-01 (MM9231)")],
    "22": [
        (
            "Outpatient Hospital",
            None,
            "2015-12-31",
            "CT §3; MR §7.3; S20",
            "name before the 2016 split into on/off campus (MM9231); " + NOSTART,
        ),
        (
            "",
            "2016-01-01",
            None,
            "CT §3; MR §7.3; S6; S20",
            "renamed 2016-01-01 (MM9231); on campus = within 250 yards",
        ),
    ],
    "27": [
        (
            "",
            "2023-10-01",
            None,
            "CT §3; S6; S20",
            "effective 2023-10-01 (CR 13314; Transmittal 12554 describes it as a Part B "
            "setting paid at the non-facility rate, per healthlawadvisor.com)",
        )
    ],
    "58": [("", "2020-01-01", None, "CT §3; S6; S20", "effective 2020-01-01 (CR 11353)")],
    "66": [
        (
            "",
            "2024-08-01",
            None,
            "CT §3; S6; S20",
            "effective 2024-08-01 (Transmittal 12779); facility/non-facility label UNCONFIRMED",
        )
    ],
}
POS_LABEL_UNCONFIRMED = {"05", "06", "07", "08", "18", "66"}
POS_WORDING_UNCONFIRMED = {"31", "32", "49", "62"}
TELEHEALTH_POS = {"02", "10"}


# --------------------------------------------------------------------------------------
# Build helpers
# --------------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def cms_descriptors(path: Path) -> dict[str, str]:
    """HCPCS -> CMS short descriptor from the verbatim RVU file (checking only)."""
    out: dict[str, str] = {}
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        for row in csv.reader(handle):
            if len(row) > 3 and row[1] == "" and len(row[0]) == 5 and row[0] != "HCPCS":
                out.setdefault(row[0], row[2].strip())
    return out


def render(
    name: str,
    header_lines: Sequence[str],
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
) -> str:
    buffer = io.StringIO()
    for line in header_lines:
        buffer.write(f"# {line}\n" if line else "#\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else _cell(v) for v in row])
    return buffer.getvalue()


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def common_header(
    title: str, inputs: Sequence[tuple[str, Path]], extra: Sequence[str]
) -> list[str]:
    lines = [
        f"otcoding code table: {title}",
        "Generated by scripts/build_data.py from shared/data/cms plus curated tables in the "
        "script. Do not edit by hand.",
        "CPT is a registered trademark of the American Medical Association; descriptions "
        "here are our own summaries.",
    ]
    for label, path in inputs:
        lines.append(f"input {label}: {path.name} sha256={sha256(path)}")
    lines.extend(extra)
    return lines


class BuildError(Exception):
    pass


def build(shared: Path) -> dict[str, str]:
    cms = shared / "data" / "cms"
    paths = {
        name: cms / name
        for name in (RVU_FILE, RVU_EXTRACT, HCPCS_EXTRACT, PTP_FILE, MUE_FILE, POS_FILE)
    }
    for path in paths.values():
        if not path.is_file():
            raise BuildError(f"missing input {path}")

    descriptors = cms_descriptors(paths[RVU_FILE])
    rvu_rows = {r["hcpcs"]: r for r in read_csv(paths[RVU_EXTRACT]) if r["in_file"] == "Y"}
    hcpcs_rows = read_csv(paths[HCPCS_EXTRACT])
    hcpcs_by_code = {r["code"]: r for r in hcpcs_rows}
    legend = ["source keys: " + "; ".join(f"{k} = {v}" for k, v in SOURCE_KEYS.items())]

    # ---- procedures ----
    procedures = list(PROCEDURES)
    for row in hcpcs_rows:
        if row["kind"] != "procedure":
            continue
        code = row["code"]
        if code not in ORTHOTIC_TEXT:
            raise BuildError(f"no curated description for HCPCS extract code {code}")
        note = f"CMS add date {row['add_date']}, action effective {row['action_effective_date']}"
        procedures.append(
            proc(
                code,
                ORTHOTIC_TEXT[code],
                OR,
                system="HCPCS",
                start=row["add_date"] or None,
                end=row["termination_date"] or None,
                source="CT §2; S2",
                note=note + "; orthoses are paid through the DME MAC (practitioner MUE 0)",
            )
        )
    missing = set(ORTHOTIC_TEXT) - {r["code"] for r in hcpcs_rows}
    if missing:
        raise BuildError(f"curated orthotic text for codes not in the extract: {sorted(missing)}")

    proc_out: list[list[object]] = []
    for (
        code,
        system,
        desc,
        kind,
        timed,
        unit,
        typical,
        start,
        end,
        repl,
        addon,
        therapy,
        source,
        note,
    ) in procedures:
        _check_description(code, desc, descriptors)
        rvu = rvu_rows.get(code)
        status = rvu["status_code"] if rvu else ("I" if code == "97127" else "")
        signals = (rvu["pctc_ind"], rvu["mult_proc_ind"]) if rvu else None
        if therapy == "always" and note.startswith(ALWAYS75) and signals != ("7", "5"):
            raise BuildError(f"{code}: labelled always (7+5) but RVU signals disagree")
        if rvu:
            source = source if "S1" in source else source + "; S1"
        proc_out.append(
            [
                code,
                system,
                desc,
                kind,
                timed,
                unit,
                typical,
                d(start),
                d(end),
                repl,
                addon,
                therapy,
                status,
                source,
                note,
            ]
        )
    _check_no_overlap([(r[0], r[7], r[8]) for r in proc_out], "procedures")
    proc_out.sort(key=lambda r: (str(r[0]), r[7] or dt.date.min))

    files: dict[str, str] = {}
    files["procedures.csv"] = render(
        "procedures",
        common_header(
            "procedures (CPT and HCPCS Level II codes used in OT billing)",
            [
                ("S1", paths[RVU_FILE]),
                ("S1 extract", paths[RVU_EXTRACT]),
                ("S2", paths[HCPCS_EXTRACT]),
            ],
            [
                *legend,
                "dates inclusive; empty effective_from = start not sourced; empty "
                "effective_to = still in effect",
                "medicare_status = PFS status indicator from the 2025 RVU file (S1)",
                "therapy = CMS therapy designation (always/sometimes/blank); "
                "confidence in the note",
            ],
        ),
        [
            "code",
            "system",
            "description",
            "kind",
            "timed",
            "unit_minutes",
            "typical_minutes",
            "effective_from",
            "effective_to",
            "replaced_by",
            "add_on_to",
            "therapy",
            "medicare_status",
            "source",
            "note",
        ],
        proc_out,
    )

    # ---- modifiers ----
    mod_out: list[list[object]] = []
    for code, (system, desc, category, start, end, source, note) in MODIFIERS.items():
        mod_out.append(
            _modifier_row(code, system, desc, category, start, end, source, note, hcpcs_by_code)
        )
    for code, (part, desc) in DIGITS.items():
        mod_out.append(
            _modifier_row(
                code,
                "HCPCS",
                desc,
                "anatomic",
                None,
                None,
                "CT §4; S2",
                f"{part} digit (NCCI anatomic modifier)",
                hcpcs_by_code,
            )
        )
    extract_mods = {r["code"] for r in hcpcs_rows if r["kind"] == "modifier"}
    unused = extract_mods - {str(r[0]) for r in mod_out}
    if unused:
        raise BuildError(f"extract modifiers without a curated row: {sorted(unused)}")
    mod_out.sort(key=lambda r: str(r[0]))
    _check_no_overlap([(r[0], r[4], r[5]) for r in mod_out], "modifiers")
    files["modifiers.csv"] = render(
        "modifiers",
        common_header(
            "modifiers (CPT and HCPCS Level II)",
            [("S2", paths[HCPCS_EXTRACT])],
            [
                *legend,
                "HCPCS effective_from = CMS add date; effective_to = CMS "
                "termination date; CPT modifier dates are mostly not sourced",
            ],
        ),
        [
            "code",
            "system",
            "description",
            "category",
            "effective_from",
            "effective_to",
            "source",
            "note",
        ],
        mod_out,
    )

    # ---- place of service ----
    pos_out: list[list[object]] = []
    for row in read_csv(paths[POS_FILE]):
        code = row["pos_code"]
        assigned = row["assigned"] == "Y"
        facility = {"Facility": "Y", "Non-Facility": "N"}.get(row["pfs_rate_setting"], "")
        base_notes = []
        if code in POS_LABEL_UNCONFIRMED:
            base_notes.append("facility/non-facility label UNCONFIRMED")
        if code in POS_WORDING_UNCONFIRMED:
            base_notes.append("exact CMS wording UNCONFIRMED")
        if not assigned:
            pos_out.append(
                [
                    code,
                    "Unassigned",
                    "",
                    False,
                    False,
                    None,
                    None,
                    "CT §3; S6",
                    "unassigned in the CMS code set",
                ]
            )
            continue
        history = POS_HISTORY.get(code, [("", None, None, "CT §3; S6", NOSTART)])
        for name, start, end, source, note in history:
            notes = "; ".join([*base_notes, note] if note else base_notes)
            pos_out.append(
                [
                    code,
                    name or row["pos_name"],
                    facility,
                    code in TELEHEALTH_POS,
                    True,
                    d(start),
                    d(end),
                    source,
                    notes,
                ]
            )
    _check_no_overlap([(r[0], r[5], r[6]) for r in pos_out], "places_of_service")
    files["places_of_service.csv"] = render(
        "places_of_service",
        common_header(
            "CMS place-of-service codes 01-99",
            [("S6", paths[POS_FILE])],
            [
                *legend,
                "facility_rate: Y = Medicare PFS pays the facility rate "
                "there, N = non-facility rate; therapy is paid at the non-facility "
                "rate in any setting",
            ],
        ),
        [
            "code",
            "name",
            "facility_rate",
            "telehealth",
            "assigned",
            "effective_from",
            "effective_to",
            "source",
            "note",
        ],
        pos_out,
    )

    # ---- NCCI PTP ----
    ptp_out: list[list[object]] = []
    for row in read_csv(paths[PTP_FILE]):
        indicator = row["modifier_indicator"]
        if indicator not in {"0", "1", "9"}:
            raise BuildError(f"bad modifier indicator {indicator!r} in {row}")
        deletion = d(row["deletion_date"])
        ptp_out.append(
            [
                row["column1"],
                row["column2"],
                deletion,
                indicator,
                None,
                deletion,
                row["rationale"],
                "S4",
            ]
        )
    ptp_out.sort(key=lambda r: (str(r[0]), str(r[1]), r[2] or dt.date.max))
    files["ncci_ptp.csv"] = render(
        "ncci_ptp",
        common_header(
            f"Medicare NCCI practitioner PTP edits among OT codes, edition {PTP_EDITION}",
            [("S4", paths[PTP_FILE])],
            [
                *legend,
                f"edition: {PTP_EDITION} (CMS ccipra-v301r0, quarter from 2024-04-01); "
                "history rows kept",
                "deletion_date: read as the LAST day the edit applies, so "
                "effective_to = deletion_date (UNCONFIRMED against CMS text; evidence: "
                "indicator 0/1 deletions all fall on quarter-end days, retroactive "
                "indicator-9 deletions on quarter-start days; Cohen NCCI v16.3 "
                "analysis, managemypractice.com: changes dated 2010-10-01 or "
                "2010-09-30). See scripts/build_data.py.",
                "effective_from: not in the source (empty = any earlier date of "
                "service); modifier_indicator 9 = never in force",
            ],
        ),
        [
            "column1",
            "column2",
            "deletion_date",
            "modifier_indicator",
            "effective_from",
            "effective_to",
            "rationale",
            "source",
        ],
        ptp_out,
    )

    # ---- MUE ----
    mue_out: list[list[object]] = []
    for row in read_csv(paths[MUE_FILE]):
        if row["mai"] not in {"1", "2", "3"}:
            raise BuildError(f"bad MAI {row['mai']!r} in {row}")
        int(row["mue_units"])
        mue_out.append(
            [
                row["hcpcs"],
                row["service_type"],
                row["mue_units"],
                row["mai"],
                row["rationale"],
                "S5",
            ]
        )
    mue_out.sort(key=lambda r: (str(r[0]), str(r[1])))
    files["mue.csv"] = render(
        "mue",
        common_header(
            f"Medicare NCCI MUE values for OT codes, effective {MUE_EDITION}",
            [("S5", paths[MUE_FILE])],
            [
                *legend,
                f"edition: effective {MUE_EDITION}; service types "
                "Practitioner, Outpatient Hospital, DME Supplier",
                "mai: 1 claim line, 2 date of service (policy), 3 date of service (clinical)",
            ],
        ),
        ["hcpcs", "service_type", "mue_units", "mai", "rationale", "source"],
        mue_out,
    )

    # ---- RVU ----
    rvu_cols = [
        "status_code",
        "work_rvu",
        "nonfac_pe_rvu",
        "nonfac_na_ind",
        "fac_pe_rvu",
        "fac_na_ind",
        "mp_rvu",
        "nonfac_total_rvu",
        "fac_total_rvu",
        "pctc_ind",
        "glob_days",
        "mult_proc_ind",
        "conv_factor",
    ]
    rvu_out = [[code, *(r[c] for c in rvu_cols), "S1"] for code, r in sorted(rvu_rows.items())]
    files["rvu.csv"] = render(
        "rvu",
        common_header(
            "Medicare PFS relative value units (CY2025, October release RVU25D)",
            [("S1", paths[RVU_FILE]), ("S1 extract", paths[RVU_EXTRACT])],
            [*legend, "no descriptor column by design (AMA copyright)"],
        ),
        ["hcpcs", *rvu_cols, "source"],
        rvu_out,
    )

    # ---- editions ----
    editions = [
        [
            "procedures",
            "CPT/HCPCS curated 2026-11; PFS status CY2025 RVU25D",
            "code-tables.md; S1; S2",
        ],
        ["modifiers", "HCPCS 2026 January release", "code-tables.md §4; S2"],
        ["places_of_service", "CMS POS set, snapshot 2024-06-28", "S6; S20"],
        ["ncci_ptp", f"{PTP_EDITION} practitioner (quarter from 2024-04-01)", "S4"],
        ["mue", f"effective {MUE_EDITION}", "S5"],
        ["rvu", "CY2025 October release RVU25D (released 2025-09-11)", "S1"],
    ]
    files["editions.csv"] = render(
        "editions",
        common_header("editions of the shipped tables", [], legend),
        ["table", "edition", "source"],
        editions,
    )
    return files


def _modifier_row(
    code: str,
    system: str,
    desc: str,
    category: str,
    start: str | None,
    end: str | None,
    source: str,
    note: str,
    hcpcs_by_code: dict[str, dict[str, str]],
) -> list[object]:
    cms = hcpcs_by_code.get(code)
    if cms is not None:
        start = cms["add_date"] or start
        end = cms["termination_date"] or end
        if cms["action_effective_date"] != cms["add_date"]:
            extra = f"CMS action effective {cms['action_effective_date']}"
            note = f"{note}; {extra}" if note else extra
    elif system == "HCPCS" and start is None and NOSTART not in note:
        note = f"{note}; {NOSTART}" if note else NOSTART
    return [code, system, desc, category, d(start), d(end), source, note]


def _check_description(code: str, description: str, descriptors: dict[str, str]) -> None:
    cms = descriptors.get(code)
    if cms and cms.lower() in description.lower():
        raise BuildError(f"{code}: description contains the CMS/AMA short descriptor {cms!r}")


def _check_no_overlap(rows: Iterable[Sequence[object]], table: str) -> None:
    spans: dict[str, list[tuple[dt.date, dt.date]]] = {}
    for code, start, end in rows:
        lo = start if isinstance(start, dt.date) else dt.date.min
        hi = end if isinstance(end, dt.date) else dt.date.max
        if lo > hi:
            raise BuildError(f"{table} {code}: starts after it ends")
        for other_lo, other_hi in spans.setdefault(str(code), []):
            if lo <= other_hi and other_lo <= hi:
                raise BuildError(f"{table} {code}: overlapping date ranges")
        spans[str(code)].append((lo, hi))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument(
        "--shared",
        type=Path,
        default=REPO.parent / "shared",
        help="path of the shared steering directory (default: ../shared)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="do not write; exit 1 when a shipped file is out of date",
    )
    args = parser.parse_args(argv)
    try:
        files = build(args.shared)
    except BuildError as exc:
        print(f"build_data: {exc}", file=sys.stderr)
        return 2
    stale = []
    for name, text in files.items():
        target = OUT / name
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current != text:
            stale.append(name)
            if not args.check:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
    verb = "out of date" if args.check else "written"
    for name in stale:
        print(f"{name}: {verb}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
