from typing import Any

import pytest

from domain import commands as c
from domain.decide import RejectCode, Rejected
from domain.models import (
    Asset,
    AssetKind,
    Chain,
    Contact,
    IncidentKind,
    Location,
    Player,
    Priority,
    RosterEntry,
    Tier,
)
from tests.domain.floor import T0, Floor


def test_first_writer_wins_and_the_second_sees_who_and_when() -> None:
    floor = Floor()
    number = floor.open()
    seen = floor.state.incidents[number].version
    floor.run("dm1", c.Assign(incident_id=number, owner="h1", expected_version=seen), T0 + 60)
    with pytest.raises(Rejected) as refused:
        floor.run("pb2", c.Resolve(incident_id=number, expected_version=seen), T0 + 90)
    assert refused.value.code is RejectCode.CONFLICT
    assert "assigned to Sam P. by Dana K." in refused.value.message
    body = refused.value.as_dict()
    assert body["by"] == "dm1" and body["at"] == T0 + 60
    assert body["current"]["owner"] == "h1"


def test_the_senders_own_changes_since_the_version_they_saw_are_no_conflict() -> None:
    floor = Floor()
    number = floor.open()
    seen = floor.state.incidents[number].version
    # a host's outbox replayed: the acknowledge moves the version, the resolve
    # behind it still carries the one the host saw
    floor.run("h1", c.Acknowledge(incident_id=number), T0 + 60)
    floor.run("h1", c.Resolve(incident_id=number, expected_version=seen), T0 + 61)
    assert floor.state.incidents[number].state == "resolved"


def test_someone_elses_change_behind_the_senders_own_is_still_a_conflict() -> None:
    floor = Floor()
    number = floor.open()
    seen = floor.state.incidents[number].version
    floor.run("h1", c.Acknowledge(incident_id=number), T0 + 60)
    floor.run("dm1", c.Assign(incident_id=number, owner="h2"), T0 + 70)
    floor.run("h1", c.Stabilise(incident_id=number), T0 + 80)
    with pytest.raises(Rejected) as refused:
        floor.run("h1", c.Resolve(incident_id=number, expected_version=seen), T0 + 90)
    assert refused.value.code is RejectCode.CONFLICT
    # the change that beat the sender, not the last one (their own stabilise);
    # the sender's acknowledge made them the owner, so it was taken from them
    assert refused.value.message == f"#{number} reassigned to Riley C. by Dana K."
    assert (refused.value.by, refused.value.at) == ("dm1", T0 + 70)


def test_a_version_the_history_cannot_account_for_is_a_conflict() -> None:
    floor = Floor()
    number = floor.open()
    with pytest.raises(Rejected) as ahead:
        floor.run("h1", c.Resolve(incident_id=number, expected_version=7), T0 + 60)
    assert ahead.value.code is RejectCode.CONFLICT


def test_an_acknowledge_after_someone_else_answered_is_refused_with_who_and_when() -> None:
    floor = Floor()
    number = floor.open()
    floor.run("dm1", c.Assign(incident_id=number, owner="h2"), T0 + 70)
    with pytest.raises(Rejected) as refused:
        floor.run("h1", c.Acknowledge(incident_id=number, note="on my way"), T0 + 90)
    assert refused.value.code is RejectCode.CONFLICT
    assert refused.value.message == f"#{number} already answered: assigned to Riley C. by Dana K."
    assert (refused.value.by, refused.value.at) == ("dm1", T0 + 70)
    assert [e.kind for e in floor.state.incidents[number].timeline] == [
        "incident_opened",
        "assigned",
    ]


def test_an_acknowledge_repeating_the_senders_own_answer_changes_nothing() -> None:
    floor = Floor()
    number = floor.open()
    floor.run("pb2", c.Take(incident_id=number), T0 + 10)
    assert floor.run("pb2", c.Acknowledge(incident_id=number), T0 + 20) == []
    (noted,) = floor.run("pb2", c.Acknowledge(incident_id=number, note="dealer swapped"), T0 + 30)
    assert noted.type == "note_added" and noted.data["text"] == "dealer swapped"


def test_a_former_owner_hears_of_the_reassignment_but_not_who_has_it_now() -> None:
    floor = Floor()
    lounge = floor.open(
        actor_id="dm1",
        kind=IncidentKind.LOUNGE_WAIT,
        player=Player(reference="VP-4410-2290", tier=Tier.VIP, host_id="h3"),
        location=Location(spot="VIP lounge"),
    )
    floor.run("dm1", c.Assign(incident_id=lounge, owner="h1"), T0 + 10)
    seen = floor.state.incidents[lounge].version
    floor.run("dm1", c.Assign(incident_id=lounge, owner="h2"), T0 + 20)
    floor.run("dm1", c.AddNote(incident_id=lounge, text="Riley is on it"), T0 + 25)
    for command in (
        c.AddNote(incident_id=lounge, text="table ready"),
        c.Resolve(incident_id=lounge, expected_version=seen),
    ):
        with pytest.raises(Rejected) as refused:
            floor.run("h1", command, T0 + 30)
        assert refused.value.code is RejectCode.CONFLICT
        assert refused.value.message == f"#{lounge} left your view: reassigned by Dana K."
        body = refused.value.as_dict()
        assert (body["by"], body["at"]) == ("dm1", T0 + 20)
        assert "current" not in body
    # someone who never saw it learns nothing, as before
    with pytest.raises(Rejected) as stranger:
        floor.run("pb1", c.AddNote(incident_id=lounge, text="x"), T0 + 30)
    assert stranger.value.code is RejectCode.NOT_FOUND
    assert stranger.value.as_dict() == {"code": "not_found", "message": f"no incident #{lounge}"}


def test_illegal_transition_reports_the_current_state() -> None:
    floor = Floor()
    number = floor.open()
    with pytest.raises(Rejected) as refused:
        floor.run("pb2", c.Close(incident_id=number), T0 + 10)
    assert refused.value.code is RejectCode.ILLEGAL
    assert "it is new" in refused.value.message


def test_roles_and_pits_are_enforced() -> None:
    floor = Floor()
    number = floor.open()
    with pytest.raises(Rejected) as host_assign:
        floor.run("h1", c.Assign(incident_id=number, owner="h2"), T0 + 5)
    assert host_assign.value.code is RejectCode.FORBIDDEN
    assert "host may not assign" in host_assign.value.message
    with pytest.raises(Rejected) as other_pit:
        floor.run("pb1", c.AddNote(incident_id=number, text="x"), T0 + 5)
    assert other_pit.value.code is RejectCode.NOT_FOUND  # outside the view: not revealed
    with pytest.raises(Rejected) as other_host:
        floor.run("h2", c.AddNote(incident_id=number, text="x"), T0 + 5)
    assert other_host.value.code is RejectCode.NOT_FOUND


def test_nobody_may_de_escalate() -> None:
    floor = Floor()
    number = floor.open()
    floor.run("pb2", c.Escalate(incident_id=number, line=3, reason="VVIP upset"), T0 + 10)
    with pytest.raises(Rejected, match=r"at L3 .* already and nobody de-escalates"):
        floor.run("dm1", c.Escalate(incident_id=number, line=2, reason="calmer"), T0 + 20)


def test_card_numbers_are_masked_before_they_are_stored() -> None:
    floor = Floor()
    number = floor.open(summary="player read out 4111 1111 1111 1111 on chat")
    floor.run("pb2", c.AddNote(incident_id=number, text="card 5500-0000-0000-0004"), T0 + 5)
    incident = floor.state.incidents[number]
    stored = incident.model_dump_json()
    assert "4111 1111 1111 1111" not in stored and "5500-0000-0000-0004" not in stored
    assert "****-1111" in incident.summary
    assert incident.player.display == "VV-****-4411"


def test_silent_visit_blocks_public_paging() -> None:
    floor = Floor()
    floor.state = floor.state.model_copy(
        update={
            "roster": (
                RosterEntry(
                    chain=Chain.MAIN,
                    line=3,
                    staff_id="tgd1",
                    name="Avery M.",
                    title="table games director",
                    contacts=(
                        Contact(method="pa", value="floor PA", public=True),
                        Contact(method="phone", value="0400"),
                    ),
                ),
            )
        }
    )
    number = floor.open(player=Player(reference="VV-1-2", tier=Tier.VVIP, silent_visit=True))
    with pytest.raises(Rejected, match="silent visit"):
        floor.run("pb2", c.PageContact(incident_id=number, staff_id="tgd1", method="pa"), T0 + 5)
    floor.run("pb2", c.PageContact(incident_id=number, staff_id="tgd1", method="phone"), T0 + 6)
    assert (
        "paged pit boss / table games director, Avery M., phone 0400"
        in floor.state.incidents[number].timeline[-1].text
    )


def test_close_waits_for_the_service_recovery_of_a_late_p1() -> None:
    floor = Floor()
    number = floor.open(
        actor_id="dm1",
        kind=IncidentKind.FAILED_TRANSFER,
        channel="chat",
        player=Player(reference="VP-5-6", tier=Tier.VIP),
        location=Location(spot="online"),
    )
    floor.run("dm1", c.Resolve(incident_id=number), T0 + 8100)
    with pytest.raises(Rejected, match="record the service recovery first"):
        floor.run("dm1", c.Close(incident_id=number), T0 + 8200)
    floor.run(
        "dm1", c.RecordCompensation(incident_id=number, text="accepted: 500 free play"), T0 + 8300
    )
    floor.run("dm1", c.Close(incident_id=number), T0 + 8400)
    assert floor.state.incidents[number].state == "closed"


def test_a_pit_boss_told_to_wait_for_the_recovery_is_told_who_records_it() -> None:
    floor = Floor()
    number = floor.open()  # a P1 at BJ-07, pit 2
    floor.run("pb2", c.Resolve(incident_id=number), T0 + 8100)  # past its 2 h
    with pytest.raises(Rejected) as refused:
        floor.run("pb2", c.Close(incident_id=number), T0 + 8200)
    assert refused.value.message == (
        "the service recovery must be recorded first, by a host, duty manager or admin"
        " (proposed: free play (VVIP scale) + priority for the next tournament)"
    )
    # a duty manager may record it: told to, as before
    with pytest.raises(Rejected, match=r"^record the service recovery first \(proposed"):
        floor.run("dm1", c.Close(incident_id=number), T0 + 8200)


def test_a_queued_command_is_masked_but_keeps_the_player_reference() -> None:
    from domain.commands import mask_command

    note = mask_command(c.AddNote(incident_id=3, text="card 4111 1111 1111 1111, call back"))
    assert note.text == "card ****-1111, call back"
    opened = mask_command(
        c.OpenIncident(
            kind="payment_dispute",
            priority="P2",
            channel="chat",
            player=Player(reference="VP-5120-3388", tier=Tier.VIP),
            summary="charged twice on 5500 0000 0000 0004",
            attachments=("receipt 4111111111111111.png",),
        )
    )
    assert "5500 0000" not in opened.summary and opened.summary.endswith("****-0004")
    assert opened.attachments == ("receipt ****-1111.png",)
    assert opened.player.reference == "VP-5120-3388"
    assert opened.kind is IncidentKind.PAYMENT_DISPUTE  # enums stay enums


def test_a_downtime_is_found_by_its_table_and_a_stale_number_is_refused() -> None:
    floor = Floor()
    tables = {n: Asset(id=n, kind=AssetKind.TABLE, pit="1") for n in ("BJ-01", "BJ-03")}
    floor.state = floor.state.model_copy(update={"assets": tables})
    floor.run("pb1", c.StartDowntime(asset_id="BJ-01", reason="shuffler"), T0)
    (first,) = floor.state.downtimes.values()
    # a terminal that never learned the number still addresses the right one
    floor.run("pb1", c.MovePlayer(asset_id="BJ-01", to="BJ-03"), T0 + 60)
    assert floor.state.downtimes[first.id].moved_to == "BJ-03"
    floor.run("pb1", c.EndDowntime(asset_id="BJ-01", downtime_id=first.id), T0 + 120)
    with pytest.raises(Rejected) as back_up:
        floor.run("pb1", c.EndDowntime(asset_id="BJ-01", downtime_id=first.id), T0 + 130)
    assert back_up.value.code is RejectCode.ILLEGAL
    assert "already back up" in back_up.value.message

    # down again: a command about the earlier downtime must not end the new one
    floor.run("pb1", c.StartDowntime(asset_id="BJ-01", reason="felt torn"), T0 + 200)
    with pytest.raises(Rejected) as stale:
        floor.run("pb1", c.EndDowntime(asset_id="BJ-01", downtime_id=first.id), T0 + 210)
    assert stale.value.code is RejectCode.CONFLICT
    assert any(d.active for d in floor.state.downtimes.values())
    with pytest.raises(Rejected) as not_down:
        floor.run("pb1", c.EndDowntime(asset_id="BJ-03"), T0 + 220)
    assert not_down.value.code is RejectCode.ILLEGAL and "not down" in not_down.value.message


def test_a_player_is_moved_to_a_table_that_is_up() -> None:
    floor = Floor()
    names = ("BJ-01", "BJ-03", "BJ-04")
    tables = {n: Asset(id=n, kind=AssetKind.TABLE, pit="1") for n in names}
    floor.state = floor.state.model_copy(update={"assets": tables})
    floor.run("pb1", c.StartDowntime(asset_id="BJ-01", reason="shuffler"), T0)
    floor.run("pb1", c.StartDowntime(asset_id="BJ-04", reason="felt torn"), T0)
    for to, code, words in (
        ("!!! nonsense $$$", RejectCode.INVALID, "no table or machine '!!! nonsense $$$'"),
        ("BJ-01", RejectCode.INVALID, "BJ-01 is the one that is down"),
        ("BJ-04", RejectCode.ILLEGAL, "BJ-04 is down too"),
    ):
        with pytest.raises(Rejected) as refused:
            floor.run("pb1", c.MovePlayer(asset_id="BJ-01", to=to), T0 + 60)
        assert refused.value.code is code and words in refused.value.message
    # typed as it comes: the floor's own name is recorded
    floor.run("pb1", c.MovePlayer(asset_id="BJ-01", to=" bj-03 "), T0 + 60)
    moved = floor.state.open_downtime_of("BJ-01")
    assert moved is not None and moved.moved_to == "BJ-03"


def test_a_pin_in_free_text_is_masked() -> None:
    floor = Floor()
    number = floor.open(summary="player said his PIN is 4821, asked us to check")
    floor.run("pb2", c.AddNote(incident_id=number, text="pin: 9911 given again"), T0 + 5)
    incident = floor.state.incidents[number]
    stored = incident.model_dump_json()
    assert "4821" not in stored and "9911" not in stored
    assert incident.summary == "player said his PIN is ****, asked us to check"
    assert incident.timeline[-1].text == "pin: **** given again"


def test_a_card_number_in_any_text_escalates_at_once() -> None:
    floor = Floor()
    quiet = floor.open(priority=Priority.P3, kind="bonus_question", channel="chat")
    assert floor.state.incidents[quiet].line == 1
    # already masked by the terminal: the server still knows a card was exposed
    floor.run("pb2", c.AddNote(incident_id=quiet, text="card ****-1111 read out"), T0 + 5)
    incident = floor.state.incidents[quiet]
    assert incident.line == 2
    assert incident.timeline[-1].text == (
        "escalated to L2 (duty manager / game tech) automatically: card/account number exposed"
    )
    # at L2 already: a second mention adds nothing but the note
    floor.run("pb2", c.AddNote(incident_id=quiet, text="again 4111 1111 1111 1111"), T0 + 9)
    assert floor.state.incidents[quiet].line == 2

    opened = floor.open(
        priority=Priority.P3, kind="bonus_question", summary="paid with 5500 0000 0000 0004"
    )
    assert floor.state.incidents[opened].line == 2
    plain = floor.open(priority=Priority.P3, kind="bonus_question", summary="order 1234")
    assert floor.state.incidents[plain].line == 1


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("PIN number 4821, call back", "PIN number ****, call back"),
        ("the PIN he gave is 4821", "the PIN he gave is ****"),
        ("4821 is his PIN", "**** is his PIN"),
        ("pin: 4821", "pin: ****"),
        ("my pin's 4821", "my pin's ****"),
        ("read out PIN 48 21 twice", "read out PIN **** twice"),
        ("4821 was the passcode he used", "**** was the passcode he used"),
        # the table and the amount are not near the word, and stay as typed
        ("table 12 lost 5000, PIN 4821", "table 12 lost 5000, PIN ****"),
    ],
)
def test_a_pin_in_any_phrasing_is_masked(typed: str, stored: str) -> None:
    floor = Floor()
    number = floor.open(summary=typed)
    floor.run("pb2", c.AddNote(incident_id=number, text=typed), T0 + 5)
    incident = floor.state.incidents[number]
    assert incident.summary == stored
    assert incident.timeline[-1].text == stored
    assert "4821" not in incident.model_dump_json()


@pytest.mark.parametrize(
    "text",
    [
        "PIN reset for table 12",
        "paid 5000 by PIN at table 7",
        "PIN was reset, amount is 5000",
        "moved from table 1204 after 1500 lost",
    ],
)
def test_numbers_not_given_as_a_pin_stay_as_typed(text: str) -> None:
    floor = Floor()
    number = floor.open()
    floor.run("pb2", c.AddNote(incident_id=number, text=text), T0 + 5)
    assert floor.state.incidents[number].timeline[-1].text == text


def test_a_card_number_in_the_location_or_help_note_is_masked_and_escalates() -> None:
    floor = Floor()
    quiet: dict[str, Any] = dict(priority=Priority.P3, kind="bonus_question", channel="chat")
    at_spot = floor.open(location=Location(pit="2", spot="4111 1111 1111 1111"), **quiet)
    incident = floor.state.incidents[at_spot]
    assert incident.location.spot == "****-1111"
    assert incident.line == 2
    assert "4111 1111" not in incident.model_dump_json()
    # already masked by a terminal: still an exposure
    masked = floor.open(location=Location(pit="2", spot="card ****-1111"), **quiet)
    assert floor.state.incidents[masked].line == 2
    in_note = floor.open(
        help_offer="offered", help_note="he read out 5500 0000 0000 0004, PIN is 7788", **quiet
    )
    incident = floor.state.incidents[in_note]
    assert incident.line == 2
    assert incident.timeline[1].text.endswith("he read out ****-0004, PIN is ****")
    plain = floor.open(location=Location(pit="2", spot="BJ-07"), **quiet)
    assert floor.state.incidents[plain].line == 1


def test_a_loyalty_card_sent_without_a_tier_gets_the_tier_its_format_names() -> None:
    floor = Floor()
    vvip = floor.open(player=Player(reference="VV-2231-4411"))
    vip = floor.open(player=Player(reference="vp-5120-3388"))
    other = floor.open(player=Player(reference="LC-1000-2000"))
    chosen = floor.open(player=Player(reference="VP-5120-3388", tier=Tier.VVIP))
    pseudonym = floor.open(player=Player(id_kind="pseudonym", reference="VV-nightowl"))
    tiers = {n: floor.state.incidents[n].player.tier for n in (vvip, vip, other, chosen, pseudonym)}
    assert tiers == {
        vvip: Tier.VVIP,
        vip: Tier.VIP,
        other: Tier.STANDARD,
        chosen: Tier.VVIP,  # a tier the sender chose is kept
        pseudonym: Tier.STANDARD,  # a pseudonym is no card
    }


def test_the_operators_card_format_decides_the_tier_on_the_server() -> None:
    from domain.policy import policy_from_toml

    floor = Floor(policy_from_toml('[card_tiers]\n"9" = "vvip"\n"5" = "vip"\n'))
    nines = floor.open(player=Player(reference="9000-1234"))
    vv = floor.open(player=Player(reference="VV-2231-4411"))  # not this operator's format
    assert floor.state.incidents[nines].player.tier is Tier.VVIP
    assert floor.state.incidents[vv].player.tier is Tier.STANDARD


def test_acknowledging_an_unowned_incident_makes_the_acknowledger_its_owner() -> None:
    floor = Floor()
    number = floor.open()
    floor.run("h1", c.Acknowledge(incident_id=number, note="on my way"), T0 + 30)
    incident = floor.state.incidents[number]
    assert (incident.state, incident.owner) == ("acknowledged", "h1")
    assert incident.timeline[-1].text == "acknowledged and taken: on my way"
    # the owner's change is the one a former owner or a rival hears of
    assert incident.changes[-1].owner == "h1"


def test_stabilising_or_resolving_an_unowned_incident_gives_it_an_owner() -> None:
    floor = Floor()
    stabilised, resolved = floor.open(), floor.open()
    floor.run("pb2", c.Stabilise(incident_id=stabilised), T0 + 60)
    floor.run("h1", c.Resolve(incident_id=resolved), T0 + 60)
    assert floor.state.incidents[stabilised].owner == "pb2"
    assert floor.state.incidents[resolved].owner == "h1"
    # someone else's later step leaves the owner as it is
    floor.run("dm1", c.Resolve(incident_id=stabilised), T0 + 90)
    floor.run("dm1", c.Reopen(incident_id=resolved, reason="player called back"), T0 + 90)
    assert floor.state.incidents[stabilised].owner == "pb2"
    assert floor.state.incidents[resolved].owner == "h1"


def test_an_acknowledge_after_another_acknowledged_names_who_took_it() -> None:
    floor = Floor()
    number = floor.open()
    floor.run("h1", c.Acknowledge(incident_id=number), T0 + 30)
    with pytest.raises(Rejected) as refused:
        floor.run("pb2", c.Acknowledge(incident_id=number), T0 + 40)
    assert refused.value.message == f"#{number} already answered: acknowledged and taken by Sam P."
    assert refused.value.as_dict()["current"]["owner"] == "h1"


def test_lowering_a_priority_needs_a_reason_and_the_timeline_says_from_what() -> None:
    floor = Floor()
    number = floor.open()  # a P1
    for reason in ("", "   "):
        with pytest.raises(Rejected) as refused:
            floor.run(
                "pb2",
                c.SetPriority(incident_id=number, priority=Priority.P4, reason=reason),
                T0 + 30,
            )
        assert refused.value.code is RejectCode.INVALID
        assert refused.value.message == f"lowering #{number} from P1 to P4 needs a reason"
    assert floor.state.incidents[number].priority is Priority.P1
    floor.run(
        "pb2",
        c.SetPriority(incident_id=number, priority=Priority.P4, reason="camera shows no error"),
        T0 + 60,
    )
    incident = floor.state.incidents[number]
    assert incident.priority is Priority.P4
    assert incident.timeline[-1].text == "priority lowered from P1 to P4: camera shows no error"
    # raising it again needs no reason
    floor.run("dm1", c.SetPriority(incident_id=number, priority=Priority.P2), T0 + 90)
    assert floor.state.incidents[number].timeline[-1].text == "priority raised from P4 to P2"
