"""AppTest journeys of the workshop pages: start a workshop, join by code, score, leave and come back, closed
workshop, unknown code, the facilitator's live view, reveal and adopt."""

from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, given, settings
from streamlit.testing.v1 import AppTest

from optimiser.formats import portfolio_from_json
from optimiser.store import ScenarioStore
from optimiser.workshop_store import WorkshopStore
from tests.app.test_text_property import TEXT, active_markup, hostile_raw, markdown_texts
from tests.pages import APP

WORKSHOP, JOIN = "pages/workshop.py", "pages/join.py"


def open_page(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
    parts += [w.value for w in at.warning] + [s.value for s in at.success] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts).replace("\\", "")


def start_workshop(priorities: list[str], anonymous: bool = False) -> tuple[AppTest, str]:
    at = open_page(WORKSHOP)
    assert at.title[0].value == "Workshop"
    at.radio[0].set_value("Only these priorities")
    at.multiselect[0].set_value(["outcomes", "inequalities"])
    at.multiselect[1].set_value(priorities)
    if anonymous:
        at.radio[1].set_value("Anonymous")
    at.button[0].click().run()  # the form's submit button
    assert not at.exception, [e.value for e in at.exception]
    token = at.session_state["workshop_facilitator_token"]
    return at, token


def test_a_facilitator_starts_a_workshop_and_sees_the_join_code_link_and_qr_code():
    at, token = start_workshop(["NAT-UEC01", "LOC-NH04"])
    workshop = WorkshopStore(os.environ["PRIORITY_STORE_URL"]).facilitated(token)
    assert workshop.criteria == ("outcomes", "inequalities")
    assert workshop.round_priorities == ("NAT-UEC01", "LOC-NH04")
    assert f"{workshop.code[:4]}-{workshop.code[4:]}" in texts(at)
    assert any(f"join?join={workshop.join_token}" in c.value for c in at.code)
    assert len(at.get("image")) == 1  # the QR code
    assert "No scores yet" in texts(at)


def test_a_participant_joins_by_code_scores_and_comes_back_by_their_link():
    _, facilitator = start_workshop(["NAT-UEC01", "LOC-NH04"])
    store = WorkshopStore(os.environ["PRIORITY_STORE_URL"])
    workshop = store.facilitated(facilitator)

    at = open_page(JOIN)
    assert at.title[0].value == "Join a workshop"
    at.text_input[0].input(workshop.code.lower())
    at.text_input[1].input("Ann")
    at.button[0].click().run()
    assert not at.exception
    token = at.session_state["workshop_participant_token"]
    assert at.query_params["participant"] == [token] or at.query_params["participant"] == token
    at.radio[0].set_value(7).run()
    assert not at.exception and not at.error
    assert dict(store.my_answers(token).scores) == {("NAT-UEC01", "outcomes"): 7.0}

    # A new session (a reload) by the personal link shows the answer and continues.
    again = open_page(JOIN, participant=token)
    assert again.radio[0].value == 7
    again.radio[1].set_value(3).run()
    assert dict(store.my_answers(token).scores) == {("NAT-UEC01", "outcomes"): 7.0, ("NAT-UEC01", "inequalities"): 3.0}
    assert "You have given 2 of 4 scores" in again.get("progress")[0].proto.text

    # The facilitator's live view counts the answers and shows the spread.
    view = open_page(WORKSHOP, facilitate=facilitator)
    assert "1 of 1 participant has answered" in texts(view)
    assert view.get("vega_lite_chart"), "the spread chart"


def test_an_unknown_code_and_a_closed_workshop_get_clear_messages():
    _, facilitator = start_workshop(["NAT-UEC01"])
    store = WorkshopStore(os.environ["PRIORITY_STORE_URL"])
    at = open_page(JOIN)
    at.text_input[0].input("NOPE1234")
    at.text_input[1].input("Ann")
    at.button[0].click().run()
    assert "There is no workshop with the code 'NOPE1234'" in texts(at)

    token, _ = store.join(store.facilitated(facilitator).code, "Bob")
    store.set_status(facilitator, status="closed")
    closed = open_page(JOIN, participant=token)
    assert "is closed" in texts(closed)
    assert closed.radio[0].disabled


def test_reveal_shows_participants_the_group_and_adopt_saves_the_medians():
    _, facilitator = start_workshop(["NAT-UEC01", "LOC-NH04"])
    store = WorkshopStore(os.environ["PRIORITY_STORE_URL"])
    code = store.facilitated(facilitator).code
    tokens = []
    for name, score in (("Ann", 2), ("Bob", 9), ("Cat", 4)):
        token, _ = store.join(code, name)
        store.save_scores(token, {("NAT-UEC01", "outcomes"): score})
        tokens.append(token)

    view = open_page(WORKSHOP, facilitate=facilitator)
    groups = [f.value for f in view.dataframe if "group (median)" in f.value.columns]
    assert groups and groups[0][["group (median)", "lowest", "highest", "answers"]].values.tolist() == [[4, 2, 9, 3]]
    view.button(key="reveal").click().run()
    assert store.facilitated(facilitator).revealed
    participant = open_page(JOIN, participant=tokens[0])
    assert "The group's results" in [s.value for s in participant.subheader]

    view.text_input(key="adopt_author").input("Facilitator")
    view.button(key="adopt").click().run()
    assert not view.exception, [e.value for e in view.exception]
    assert "Adopted: saved as" in texts(view)
    adopted = store.facilitated(facilitator)
    portfolio, info = ScenarioStore(os.environ["PRIORITY_STORE_URL"]).load(
        adopted.adopted_scenario_id, adopted.adopted_version
    )
    assert portfolio.priority("NAT-UEC01").score("outcomes") == 4  # the median of 2, 9 and 4
    assert "3 participants, 1 round" in info.note

    # The adopted version is open in the facilitator's session: its board pack has the workshop section.
    view.switch_page("pages/rationalise.py").run()
    view.button(key="prepare_pack").click().run()
    assert not view.exception, [e.value for e in view.exception]
    document = view.session_state["board_pack"][1]
    assert "Workshop: Northvale ICB" in document and "3 gave scores" in document


def test_a_wrong_facilitator_link_is_refused_without_a_traceback():
    at = open_page(WORKSHOP, facilitate="not-a-real-token")
    assert "facilitator link does not open any workshop" in texts(at)


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(raw=hostile_raw(), name=TEXT)
def test_any_text_renders_inert_on_the_workshop_pages(raw, name):
    """Hostile text in the portfolio (priority names, criterion labels, the title) and in a participant's display
    name shows literally on the facilitator's live view and on the participant's page, revealed results too."""
    portfolio = portfolio_from_json(json.dumps(raw))
    store = WorkshopStore(os.environ["PRIORITY_STORE_URL"])
    criteria = [c.name for c in portfolio.criteria[:2]]
    keys = store.create(
        portfolio, title=portfolio.name, criteria=criteria, priorities=[p.id for p in portfolio.priorities[:3]]
    )
    token, workshop = store.join(keys.code, name[:60])
    store.save_scores(token, {cell: 5.0 for cell in workshop.cells})
    other, _ = store.join(keys.code, "Other")
    store.save_scores(other, {cell: 9.0 for cell in workshop.cells})
    store.set_status(keys.facilitator_token, revealed=True)
    for page, params in ((WORKSHOP, {"facilitate": keys.facilitator_token}), (JOIN, {"participant": token})):
        at = open_page(page, **params)
        assert not at.error, [e.value for e in at.error]
        for text in markdown_texts(at):
            assert not active_markup(text), f"{page}: {text[:160]!r} renders as {active_markup(text)}"


def test_participants_weight_the_criteria_and_a_set_without_a_top_of_100_is_refused():
    at = open_page(WORKSHOP)
    at.radio[0].set_value("Only these priorities")
    at.multiselect[0].set_value(["outcomes", "inequalities"])
    at.multiselect[1].set_value(["NAT-UEC01"])
    at.checkbox[0].check()
    at.button[0].click().run()
    facilitator = at.session_state["workshop_facilitator_token"]
    store = WorkshopStore(os.environ["PRIORITY_STORE_URL"])
    token, _ = store.join(store.facilitated(facilitator).code, "Ann")

    page = open_page(JOIN, participant=token)
    page.number_input[0].set_value(80.0)
    page.number_input[1].set_value(40.0)
    page.button[0].click().run()  # Save my weights
    assert "Give the criterion whose swing from worst to best matters most 100" in texts(page)
    assert store.my_answers(token).swings == ()
    page.number_input[0].set_value(100.0)
    page.button[0].click().run()
    assert dict(store.my_answers(token).swings) == {"outcomes": 100.0, "inequalities": 40.0}

    store.save_scores(token, {("NAT-UEC01", "outcomes"): 6, ("NAT-UEC01", "inequalities"): 2})
    view = open_page(WORKSHOP, facilitate=facilitator)
    assert not view.exception and "1 of 1 participant has answered" in texts(view)


def test_a_second_round_reopens_the_chosen_priorities_for_participants():
    _, facilitator = start_workshop(["NAT-UEC01", "LOC-NH04"])
    store = WorkshopStore(os.environ["PRIORITY_STORE_URL"])
    code = store.facilitated(facilitator).code
    for name, score in (("Ann", 0), ("Bob", 10)):
        token, _ = store.join(code, name)
        store.save_scores(token, {("LOC-NH04", "outcomes"): score, ("NAT-UEC01", "outcomes"): 5})
    view = open_page(WORKSHOP, facilitate=facilitator)
    assert view.multiselect(key=f"next_round_{store.facilitated(facilitator).id}_1").value == ["LOC-NH04"]
    view.button(key="next_round").click().run()
    assert "Round 2 is open for 1 priority." in texts(view)
    workshop = store.facilitated(facilitator)
    assert (workshop.round, workshop.round_priorities) == (2, ("LOC-NH04",))
    participant = open_page(JOIN, participant=token)
    assert "round 2" in texts(participant)
    assert participant.radio[0].value == 10  # Bob's earlier answer, to change or keep


def test_a_workshop_on_the_close_calls_scores_only_the_decisions_a_two_point_move_flips(sample):
    from optimiser.workshop import close_calls

    at = open_page(WORKSHOP)
    at.radio[0].set_value("Close calls")
    at.button[0].click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    workshop = WorkshopStore(os.environ["PRIORITY_STORE_URL"]).facilitated(
        at.session_state["workshop_facilitator_token"]
    )
    expected = close_calls(sample, [c.name for c in sample.criteria])
    assert workshop.priorities == expected and 0 < len(expected) < len(sample.priorities)
    assert not {p.id for p in sample.priorities if p.must_do} & set(expected)


def test_a_join_link_to_this_computer_only_is_recognised():
    from ui.workshop_state import local_only

    assert local_only("http://127.0.0.1:8501/join?join=x") and local_only("http://localhost:8501/join?join=x")
    assert not local_only("https://priorities.nhs.example/join?join=x") and not local_only("join?join=x")
