"""A model-based test of the page: Hypothesis drives random sequences of what a reader does (set or clear
any filter, search, move the years, Reset, Play, open the current link in a new session) through AppTest,
and after every step compares the widgets, the sentence, the address bar and the rows sent to the map
with a plain oracle computed from the synthetic records and the same actions."""

from __future__ import annotations

from pathlib import Path

import pytest
import synthetic
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from page import map_rows, multiselect, sentence, url_params
from streamlit.testing.v1 import AppTest

from components.data import DATA_DIR_ENV
from geo import schema

APP = str(Path(__file__).resolve().parent.parent / "app.py")
RECORDS = [f["properties"] for f in synthetic.deployments()]
IDS = [r["id"] for r in RECORDS]
BOUNDS = (2012, 2021)
VENDOR_NAMES = {v["id"]: v["name"] for v in synthetic.VENDORS}
VENDOR_HOME = {v["id"]: v["hq_country"] for v in synthetic.VENDORS}
NAMES = {
    "vendors": VENDOR_NAMES,
    "vendor_countries": synthetic.COUNTRY_NAMES,
    "countries": synthetic.COUNTRY_NAMES,
    "sectors": schema.SECTORS,
    "statuses": schema.STATUSES,
    "confidences": schema.CONFIDENCES,
}
# widget label, URL parameter, the sentence's words for one and for several values, lowercase labels
CHOICES = {
    "vendors": ("Vendor", "vendor", ("vendor ", "vendors "), False),
    "vendor_countries": ("Vendor's home country", "home", ("vendors based in ", "vendors based in "), False),
    "countries": ("Deployment country", "country", ("in ", "in "), False),
    "sectors": ("Sector", "sector", ("sector ", "sector "), True),
    "statuses": ("Status", "status", ("status ", "status "), True),
    "confidences": ("Confidence", "confidence", ("confidence ", "confidence "), True),
}
# What a reader may type, and which records it must find (written out by hand from tests/synthetic.py).
SEARCHES = {
    "metro": {"aa-metro"},
    "gates": {"aa-airport", "bb-school"},
    "Bland": {"bb-city", "bb-school"},  # a name, and the country's name
    "ÁCME vision": {"aa-metro", "aa-airport"},  # a vendor's name, accents and case ignored
    "av": {"aa-metro", "aa-airport"},  # a vendor's alias
    "paper 1": set(IDS),  # the sources' publisher
    "interior": {"bb-city"},
    "zzz": set(),
}
actions_run = 0


def record_values(record: dict, name: str) -> set[str]:
    if name == "vendors":
        return set(record["vendors"])
    if name == "vendor_countries":
        return {VENDOR_HOME[v] for v in record["vendors"] if VENDOR_HOME[v]}
    if name == "countries":
        return {record["country"]}
    if name == "sectors":
        return set(record["sectors"])
    return {record["status" if name == "statuses" else "confidence"]}


def join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


class Oracle:
    """What the page must show, from the reader's actions alone."""

    def __init__(self) -> None:
        self.choices: dict[str, list[str]] = {name: [] for name in CHOICES}
        self.text = ""
        self.years = BOUNDS

    def year_range(self) -> tuple[int | None, int | None]:
        low, high = self.years
        return (None if low <= BOUNDS[0] else low, None if high >= BOUNDS[1] else high)

    def shown(self) -> list[str]:
        year_from, year_to = self.year_range()
        kept = []
        for record in RECORDS:
            if any(chosen and not record_values(record, n) & set(chosen) for n, chosen in self.choices.items()):
                continue
            if self.text and record["id"] not in SEARCHES[self.text]:
                continue
            if year_to is not None and record["year_start"] > year_to:
                continue
            if year_from is not None and record["year_end"] is not None and record["year_end"] < year_from:
                continue
            kept.append(record["id"])
        return kept

    def sentence(self) -> str:
        phrases = []
        for name, (_, _, words, lower) in CHOICES.items():
            chosen = self.choices[name]
            if chosen:
                labels = [NAMES[name][v].lower() if lower else NAMES[name][v] for v in chosen]
                phrases.append(words[0 if len(chosen) == 1 else 1] + join(labels))
        if self.text:
            phrases.append(f"matching “{self.text}”")
        year_from, year_to = self.year_range()
        if year_from is not None and year_to is not None:
            phrases.append(f"active {year_from}–{year_to}")
        elif year_from is not None:
            phrases.append(f"active in or after {year_from}")
        elif year_to is not None:
            phrases.append(f"active in or before {year_to}")
        head = f"Showing {len(self.shown())} of {len(RECORDS)} deployments"
        return head + (": " + ", ".join(phrases) if phrases else "")

    def url(self) -> dict[str, list[str]]:
        params = {CHOICES[n][1]: list(v) for n, v in self.choices.items() if v}
        if self.text:
            params["q"] = [self.text]
        year_from, year_to = self.year_range()
        if year_from is not None:
            params["from"] = [str(year_from)]
        if year_to is not None:
            params["to"] = [str(year_to)]
        return params


class PageMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.oracle = Oracle()
        self.at: AppTest

    @initialize()
    def open_the_page(self) -> None:
        self.at = AppTest.from_file(APP, default_timeout=60)
        self.at.run()

    def _ran(self) -> None:
        global actions_run
        actions_run += 1
        assert not self.at.exception, self.at.exception

    @rule(name=st.sampled_from(list(CHOICES)), data=st.data())
    def choose_options(self, name: str, data: st.DataObject) -> None:
        widget = multiselect(self.at, CHOICES[name][0])
        by_label = {label: value for value, label in NAMES[name].items()}
        offered = [by_label[label] for label in widget.options]
        chosen = data.draw(st.lists(st.sampled_from(offered), unique=True, max_size=3) if offered else st.just([]))
        widget.set_value(chosen).run()
        self.oracle.choices[name] = chosen
        self._ran()

    @rule(name=st.sampled_from(list(CHOICES)))
    def clear_a_filter(self, name: str) -> None:
        multiselect(self.at, CHOICES[name][0]).set_value([]).run()
        self.oracle.choices[name] = []
        self._ran()

    @rule(text=st.sampled_from(["", *SEARCHES]))
    def search(self, text: str) -> None:
        self.at.text_input(key="f_text").input(text).run()
        self.oracle.text = text
        self._ran()

    @rule(low=st.integers(*BOUNDS), high=st.integers(*BOUNDS))
    def move_the_years(self, low: int, high: int) -> None:
        low, high = min(low, high), max(low, high)
        self.at.slider(key="f_years").set_value((low, high)).run()
        self.oracle.years = (low, high)
        self._ran()

    @rule()
    def reset(self) -> None:
        next(b for b in self.at.button if b.label == "Reset filters").click().run()
        self.oracle = Oracle()
        self._ran()

    @rule()
    def play_to_the_end(self) -> None:
        next(b for b in self.at.button if b.label == "▶ Play").click().run(timeout=120)
        self.oracle.years = BOUNDS  # plays from where the range ends up to the last year, from the first
        self._ran()

    @rule()
    def open_the_link_in_a_new_session(self) -> None:
        fresh = AppTest.from_file(APP, default_timeout=60)
        fresh.query_params.update(self.at.query_params)
        fresh.run()
        self.at = fresh
        self._ran()
        notices = [w.value for w in self.at.warning if "link was ignored" in w.value]
        assert not notices, f"a link the page wrote itself must apply without notices: {notices}"

    @invariant()
    def the_page_agrees_with_the_oracle(self) -> None:
        if not hasattr(self, "at"):
            return
        oracle = self.oracle
        for name, (label, *_) in CHOICES.items():
            assert multiselect(self.at, label).value == oracle.choices[name], name
        assert self.at.text_input(key="f_text").value == oracle.text
        assert self.at.slider(key="f_years").value == oracle.years
        assert sentence(self.at) == oracle.sentence()
        assert url_params(self.at) == oracle.url()
        assert sorted(IDS[i] for i in map_rows(self.at)) == sorted(oracle.shown())


@pytest.fixture
def page_data(data_dir, monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV, str(data_dir))
    monkeypatch.setattr("components.sidebar.PLAY_STEP_SECONDS", 0.0)


def test_random_sequences_of_reader_actions_keep_the_page_true(page_data):
    run_state_machine_as_test(
        PageMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
    print(f"model-based page test: {actions_run} actions")
    assert actions_run >= 50
