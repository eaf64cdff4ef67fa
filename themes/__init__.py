"""floorline's themes: floor (dark, low glare), night (dim) and high-contrast.

Every colour the app uses lives here. Our own semantic variables
(`severity-p1`, `timer-breached`, ...) get literal defaults in
`VARIABLE_DEFAULTS` (a `$reference` there would break CSS parsing) and each
theme overrides them; stylesheets only ever name the variables.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.theme import Theme

DEFAULT_THEME = "floor"

# the app's semantic colours; values are the floor theme's
VARIABLE_DEFAULTS: dict[str, str] = {
    "severity-p1": "#ff5f5f",
    "severity-p2": "#ffaf5f",
    "severity-p3": "#d7d75f",
    "severity-p4": "#8a8f98",
    "timer-ok": "#87af87",
    "timer-amber": "#ffaf00",
    "timer-red": "#ff5f5f",
    "timer-breached": "#ff3030",
    "silent-visit": "#af87ff",
    "offline-banner": "#5f0000",
    "pending": "#5fafd7",
    "conflict": "#ff8700",
    "tier-vvip": "#ffd75f",
    "tier-vip": "#d7af87",
    # quiet, not faded: alpha colours lose their alpha in a Line API widget's styles
    "map-clear": "#6e7681",
}

FLOOR = Theme(
    name="floor",
    # dark and low glare: muted surfaces, colour kept for what needs a glance
    primary="#3a6ea5",
    secondary="#4f6272",
    accent="#c9a227",
    warning="#d7a13a",
    error="#c8553d",
    success="#5a9a6e",
    foreground="#c8ccd2",
    background="#101418",
    surface="#161b21",
    panel="#1e252d",
    dark=True,
    variables=dict(VARIABLE_DEFAULTS),
)

NIGHT = Theme(
    name="night",
    # the duty manager's dark office: dim text, no bright fills
    primary="#3d5470",
    secondary="#3b4650",
    accent="#8a7430",
    warning="#9c7a32",
    error="#9a4a3c",
    success="#4d7358",
    foreground="#8d949c",
    background="#07090b",
    surface="#0c1014",
    panel="#12171c",
    dark=True,
    luminosity_spread=0.08,
    text_alpha=0.85,
    variables={
        "severity-p1": "#c0504d",
        "severity-p2": "#b0803c",
        "severity-p3": "#9a9a4a",
        "severity-p4": "#5e636a",
        "timer-ok": "#5f7f62",
        "timer-amber": "#b08a2e",
        "timer-red": "#c0504d",
        "timer-breached": "#d04040",
        "silent-visit": "#8068b0",
        "offline-banner": "#3a0c0c",
        "pending": "#4a7c96",
        "conflict": "#b06a20",
        "tier-vvip": "#b0983e",
        "tier-vip": "#927a5c",
        "map-clear": "#4f565e",
    },
)

HIGH_CONTRAST = Theme(
    name="high-contrast",
    # daylight and poor eyesight: pure black and white, saturated signals
    primary="#ffffff",
    secondary="#ffff00",
    accent="#00ffff",
    warning="#ffff00",
    error="#ff0000",
    success="#00ff00",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#202020",
    dark=True,
    luminosity_spread=0.25,
    text_alpha=1.0,
    variables={
        "severity-p1": "#ff0000",
        "severity-p2": "#ff8c00",
        "severity-p3": "#ffff00",
        "severity-p4": "#ffffff",
        "timer-ok": "#00ff00",
        "timer-amber": "#ffff00",
        "timer-red": "#ff0000",
        "timer-breached": "#ff00ff",
        "silent-visit": "#00ffff",
        "offline-banner": "#ff0000",
        "pending": "#00ffff",
        "conflict": "#ff8c00",
        "tier-vvip": "#ffff00",
        "tier-vip": "#ffffff",
        "map-clear": "#bfbfbf",
        "block-cursor-background": "#ffff00",
        "block-cursor-foreground": "#000000",
    },
)

THEMES: tuple[Theme, ...] = (FLOOR, NIGHT, HIGH_CONTRAST)
THEME_NAMES: tuple[str, ...] = tuple(theme.name for theme in THEMES)


@dataclass(frozen=True, slots=True)
class ThemeChoice:
    name: str
    notice: str | None = None  # set when the asked-for name was not known


def resolve_theme(name: str | None) -> ThemeChoice:
    """The theme to use for `name`, falling back to the floor theme with a notice."""
    if not name:
        return ThemeChoice(DEFAULT_THEME)
    if name in THEME_NAMES:
        return ThemeChoice(name)
    known = ", ".join(THEME_NAMES)
    return ThemeChoice(DEFAULT_THEME, f"unknown theme {name!r}: using {DEFAULT_THEME} ({known})")


def next_theme(current: str) -> str:
    """The theme after `current` in the f10 cycle."""
    if current not in THEME_NAMES:
        return DEFAULT_THEME
    return THEME_NAMES[(THEME_NAMES.index(current) + 1) % len(THEME_NAMES)]


__all__ = [
    "DEFAULT_THEME",
    "FLOOR",
    "HIGH_CONTRAST",
    "NIGHT",
    "THEMES",
    "THEME_NAMES",
    "VARIABLE_DEFAULTS",
    "ThemeChoice",
    "next_theme",
    "resolve_theme",
]
