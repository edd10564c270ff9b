"""The CSV rows of each dashboard panel, read from a snapshot's data."""

from collections.abc import Iterator

PANELS = {
    "headline": "Headline",
    "pareto": "Loss reasons (Pareto)",
    "segments": "Segments driving losses",
    "team_vs_client": "Team vs client",
    "repeat_causes": "Repeat causes",
    "actions": "Action funnel and overdue by owner",
    "at_risk": "Clients at risk",
    "client_voice": "Client voice",
    "saves": "Save attempts",
    "learning": "Learning capacity",
    "perception": "Perception gap",
    "trend": "Losses per month",
    "overdue_audits": "Process audits overdue",
}

HEADLINE = [
    ("clients_lost", "Clients lost"),
    ("fees_lost", "Fees lost"),
    ("controllable_share", "Share with a controllable primary reason"),
    ("open_actions", "Open actions"),
    ("overdue_actions", "Overdue actions"),
    ("median_days_to_verified", "Median days from action created to verified"),
    ("learning_index", "Learning-capacity index (0-100)"),
    ("speak_freely", "Average could-I-speak-freely rating (1-5)"),
]


def _blank(value):
    return "" if value is None else value


def rows(panel: str, data: dict) -> Iterator[list]:
    if panel == "headline":
        yield ["Figure", "Value"]
        for key, label in HEADLINE:
            yield [label, _blank(data["headline"][key])]
    elif panel == "pareto":
        yield ["Order", "Reason", "Losses", "Fees lost", "Share", "Cumulative share", "Vital few"]
        for order in ("by_count", "by_fees"):
            for row in data["pareto"][order]:
                yield [
                    order.replace("_", " "),
                    row["label"],
                    row["count"],
                    row["fees"],
                    _blank(row["share"]),
                    _blank(row["cumulative"]),
                    "yes" if row["vital"] else "no",
                ]
    elif panel == "segments":
        yield ["Dimension", "Segment", "Losses", "Fees lost", "Share", "Cumulative share"]
        for segment in data["segments"].values():
            for row in segment["rows"]:
                yield [
                    segment["title"],
                    row["label"],
                    row["count"],
                    row["fees"],
                    _blank(row["share"]),
                    _blank(row["cumulative"]),
                ]
    elif panel == "team_vs_client":
        tvc = data["team_vs_client"]
        yield ["Team reason \\ client reason", *[c["label"] for c in tvc["columns"]]]
        for row in tvc["rows"]:
            yield [row["label"], *[cell["n"] for cell in row["cells"]]]
        yield []
        yield ["Compared", tvc["compared"]]
        yield ["Matched", tvc["matched"]]
        yield ["Match rate", _blank(tvc["match_rate"])]
        yield ["Difficult client, said by the team", tvc["difficult_said_by_team"]]
        yield ["Difficult client, said by clients", tvc["difficult_said_by_clients"]]
    elif panel == "repeat_causes":
        yield ["Cause", "Repeat losses", "Fees lost", "First repeat"]
        for row in data["repeat_causes"]:
            yield [row["label"], row["count"], row["fees"], row["first"]]
    elif panel == "actions":
        yield ["Created in the period, now", "Actions"]
        for stage in data["actions"]["stages"]:
            yield [stage["label"], stage["n"]]
        yield []
        yield ["Pilots created in the period", "Pilots"]
        for stage in data["actions"].get("pilots", {}).get("stages", []):
            yield [stage["label"], stage["n"]]
        yield []
        yield ["Owner", "Overdue actions", "Oldest due date", "Days overdue"]
        for row in data["actions"]["overdue_by_owner"]:
            yield [row["label"], row["n"], row["oldest"], row["days"]]
    elif panel == "at_risk":
        yield ["Client", "Annual fees", "Account manager", "Why flagged", "Check-in open"]
        for row in data["at_risk"]["rows"]:
            yield [
                row["label"],
                row["fees"],
                row["account_manager"],
                # A snapshot stored before the signals were named has "alike" instead.
                "; ".join(row["why"]) if "why" in row else row.get("alike", ""),
                "yes" if row["check_in_open"] else "no",
            ]
    elif panel == "client_voice":
        voice = data["client_voice"]
        yield ["Theme", "Responses"]
        for row in voice["themes"]:
            yield [row["label"], row["n"]]
        yield ["Handled, no reason given", _blank(voice.get("handled_without_reason"))]
        yield ["Not triaged yet", voice["untriaged"]]
        yield []
        yield ["Month", "Responses", "Average rating (0-10)"]
        for row in voice["months"]:
            yield [row["month"], row["n"], _blank(row["rating"])]
        yield []
        yield ["You said, we did replies sent", voice["replies"]]
    elif panel == "learning":
        yield ["Quarter", "Answers", "Index (0-100)"]
        for row in data["learning"]["quarters"]:
            yield [row["quarter"], row["n"], _blank(row["index"])]
        yield []
        yield ["Item", "Mean (1-5)", "Index (0-100)", "Suggests an action"]
        for row in data["learning"]["items"]:
            yield [
                row["label"],
                _blank(row["mean"]),
                _blank(row["index"]),
                "yes" if row["needs_action"] else "no",
            ]
        suggestions = data["learning"].get("suggestions")
        if suggestions:
            yield []
            yield ["Staff suggestions received in the period", suggestions["received"]]
            yield ["Answered (accepted, declined or merged)", suggestions["answered"]]
            yield ["Share answered", _blank(suggestions["answered_share"])]
    elif panel == "perception":
        yield [
            "Quarter",
            "Actions verified",
            "Clients: we acted on what they told us (1-5)",
            "Client answers",
            "Staff: clients can tell we learned, item 5 (1-5)",
            "Staff answers",
            "Gap (staff minus clients)",
        ]
        for row in data.get("perception", {}).get("quarters", []):
            yield [
                row["quarter"],
                row["verified"],
                _blank(row["client_mean"]),
                row["client_answers"],
                _blank(row["staff_mean"]),
                row["staff_answers"],
                _blank(row["gap"]),
            ]
    elif panel == "saves":
        # A snapshot stored before this panel existed has no "saves" until it is redone.
        saves = data.get("saves", {})
        yield ["Save attempts opened in the period", "Attempts"]
        for key, label in [
            ("opened", "Opened"),
            ("saved", "Saved"),
            ("lost", "Lost"),
            ("open", "Still open"),
            ("overdue", "Still open, past the first-contact date"),
        ]:
            yield [label, saves.get(key, "")]
    elif panel == "overdue_audits":
        audits = data.get("overdue_audits", {"count": 0, "rows": []})
        yield ["Audit", "Facilitator", "Was due", "Days late"]
        for row in audits["rows"]:
            yield [row["title"], row["facilitator"], row["due"], row["days"]]
        yield []
        yield ["Overdue audits in all", audits["count"]]
    elif panel == "trend":
        yield ["Month", "Losses", "Fees lost"]
        for row in data["trend"]:
            yield [row["month"], row["n"], row["fees"]]
