"""Player flags: who may set and clear each, their checks, and that they follow the player."""

from __future__ import annotations

import pytest

from domain import commands as c
from domain.models import FlagKind, HelpAnswer, Location, Player, Tier
from domain.player_flags import flags_of, has_rg_flag, incident_flags, is_silent
from domain.rejection import RejectCode, Rejected
from tests.domain.floor import T0, Floor

DAY = 86400.0
REF = "VV-2231-4411"  # the default player of `Floor.open`, host h1


def flagged_floor() -> Floor:
    floor = Floor()
    floor.open()  # makes h1 the host of REF
    return floor


def setting(flag: FlagKind, **fields: object) -> c.SetPlayerFlag:
    defaults: dict[str, object] = {"reference": REF, "flag": flag}
    if flag is FlagKind.COOL_OFF:
        defaults["until"] = T0 + 7 * DAY
    if flag in (FlagKind.TIME_LIMIT, FlagKind.BANKROLL_LIMIT):
        defaults["note"] = "4 h a day"
    return c.SetPlayerFlag.model_validate(defaults | fields)


RG = [FlagKind.SELF_EXCLUDED, FlagKind.COOL_OFF, FlagKind.TIME_LIMIT, FlagKind.BANKROLL_LIMIT]
AML = [FlagKind.SOURCE_OF_FUNDS, FlagKind.SOURCE_OF_WEALTH]

# who may set each flag on h1's player; written out, not derived from the code
MAY_SET = {
    #        host h1, other host h2, pit boss, duty manager, admin
    **{flag: (True, False, False, True, True) for flag in RG},
    **{flag: (False, False, False, True, True) for flag in AML},
    FlagKind.SILENT_VISIT: (True, False, False, True, True),
}
SETTERS = ("h1", "h2", "pb2", "dm1", "admin")


@pytest.mark.parametrize("flag", list(FlagKind))
def test_each_flag_by_each_role(flag: FlagKind) -> None:
    for actor, allowed in zip(SETTERS, MAY_SET[flag], strict=True):
        floor = flagged_floor()
        if allowed:
            floor.run(actor, setting(flag), T0 + 60)
            (set_flag,) = flags_of(floor.state, REF, T0 + 60)
            assert (set_flag.kind, set_flag.set_by, set_flag.set_at) == (flag, actor, T0 + 60)
        else:
            with pytest.raises(Rejected) as refused:
                floor.run(actor, setting(flag), T0 + 60)
            assert refused.value.code is RejectCode.FORBIDDEN
            assert str(refused.value)  # a reason, in words
            assert flags_of(floor.state, REF, T0 + 60) == ()
        # only management clears, whoever set it
        floor.run("dm1", setting(flag), T0 + 61)
        for clearer in ("h1", "pb2"):
            with pytest.raises(Rejected, match="may not clear player flag"):
                floor.run(clearer, c.ClearPlayerFlag(reference=REF, flag=flag), T0 + 62)
        floor.run("admin", c.ClearPlayerFlag(reference=REF, flag=flag, reason="lifted"), T0 + 63)
        assert flags_of(floor.state, REF, T0 + 63) == ()


def test_a_host_is_told_why_an_aml_flag_or_another_hosts_player_is_not_theirs() -> None:
    floor = flagged_floor()
    with pytest.raises(Rejected, match="set by risk/AML"):
        floor.run("h1", setting(FlagKind.SOURCE_OF_FUNDS), T0)
    with pytest.raises(Rejected, match="only their own players"):
        floor.run("h2", setting(FlagKind.SELF_EXCLUDED), T0)


def test_a_cool_off_needs_a_date_ahead_and_lapses_at_it() -> None:
    floor = flagged_floor()
    with pytest.raises(Rejected, match="in the past") as past:
        floor.run("h1", setting(FlagKind.COOL_OFF, until=T0 - 1), T0)
    assert past.value.code is RejectCode.INVALID
    with pytest.raises(Rejected, match="needs the date"):
        floor.run("h1", setting(FlagKind.COOL_OFF, until=None), T0)
    floor.run("h1", setting(FlagKind.COOL_OFF, until=T0 + DAY), T0)
    assert has_rg_flag(flags_of(floor.state, REF, T0 + DAY - 1))
    assert flags_of(floor.state, REF, T0 + DAY) == ()


def test_a_limit_says_what_it_is_and_setting_it_again_replaces_it() -> None:
    floor = flagged_floor()
    with pytest.raises(Rejected, match="say the bankroll limit"):
        floor.run("h1", setting(FlagKind.BANKROLL_LIMIT, note=" "), T0)
    floor.run("h1", setting(FlagKind.BANKROLL_LIMIT, note="AUD 5,000 a visit"), T0)
    floor.run("dm1", setting(FlagKind.BANKROLL_LIMIT, note="AUD 2,000 a visit"), T0 + 5)
    (limit,) = flags_of(floor.state, REF, T0 + 5)
    assert (limit.note, limit.set_by) == ("AUD 2,000 a visit", "dm1")


def test_clearing_a_flag_the_player_does_not_have_is_refused() -> None:
    floor = flagged_floor()
    with pytest.raises(Rejected, match="no self-excluded flag"):
        floor.run("dm1", c.ClearPlayerFlag(reference=REF, flag=FlagKind.SELF_EXCLUDED), T0)


def test_flags_follow_the_player_onto_every_incident() -> None:
    floor = flagged_floor()
    first = floor.open()
    floor.run("h1", setting(FlagKind.SILENT_VISIT), T0 + 1)
    floor.run("h1", setting(FlagKind.SELF_EXCLUDED), T0 + 2)
    later = floor.open(at=T0 + 3)
    other = floor.open(
        at=T0 + 4,
        player=Player(reference="VP-0001-0002", tier=Tier.VIP),
        location=Location(pit="2", spot="BJ-01"),
    )
    for number in (first, later):
        incident = floor.state.incidents[number]
        kinds = [f.kind for f in incident_flags(floor.state, incident, T0 + 5)]
        assert kinds == [FlagKind.SILENT_VISIT, FlagKind.SELF_EXCLUDED]
        assert is_silent(floor.state, incident, T0 + 5)
    assert incident_flags(floor.state, floor.state.incidents[other], T0 + 5) == ()
    # a reference typed with stray spaces is the same player
    assert len(flags_of(floor.state, f"  {REF} ", T0 + 5)) == 2


def test_whether_help_was_offered_is_on_the_incident_timeline() -> None:
    floor = flagged_floor()
    number = floor.open()
    floor.run(
        "pb2",
        c.RecordHelpOffer(incident_id=number, answer=HelpAnswer.DECLINED, note="gave the leaflet"),
        T0 + 9,
    )
    last = floor.state.incidents[number].timeline[-1]
    assert (last.kind, last.actor) == ("help_offer_recorded", "pb2")
    assert last.text == "help resources offered, declined: gave the leaflet"


def test_an_incident_opened_with_the_help_answer_has_it_on_its_timeline() -> None:
    floor = flagged_floor()
    number = floor.open(help_offer=HelpAnswer.OFFERED, help_note="helpline card")
    entries = [(e.kind, e.text) for e in floor.state.incidents[number].timeline]
    assert entries == [
        ("incident_opened", "opened"),
        ("help_offer_recorded", "help resources offered: helpline card"),
    ]
