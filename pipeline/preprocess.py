"""Clean a page image for OCR with cheap OpenCV steps, recording each step applied.

``preprocess_page(page, config) -> PageImage`` returns a new page: a phone photo's sheet flattened by its
corners; fax specks dropped; scaled up to ``target_dpi`` when scanned lower (a black-and-white page smoothed
first); flattened when the background
is grey or unevenly lit; median-filtered when it carries salt-and-pepper noise; turned a quarter when its
text runs vertically; deskewed (±``max_skew`` degrees) by a projection-profile search on a quarter-size
copy; turned over when its text lines carry more ink below the x-height band than above it; its dashed
rules erased (tesseract's layout analysis drops the words of a row ruled by dashes above and below it), and
the walls of cells and the rules between rows that hug their text (read as "[" and "~—~", a ruled grid of
labels garbled).
The OCR stage re-reads what is still not upright. Every step costs milliseconds; the expensive ones
(non-local-means denoising, full-resolution Hough) are deliberately absent. ``rotate_page`` turns a page
by 90° steps; ``turn_like`` turns an uncleaned page as its steps say the cleaned one was turned.
"""

from __future__ import annotations

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict

from pipeline.models import PageImage

UPSIDE_DOWN_RATIO = 1.5
UPRIGHT_STEP = "upright"
UPSCALE_STEP = "upscale"
TURN_STEPS = ("quarter_turn", "upside_down", "orientation")  # the reasons pages are given to rotate_page
MIN_LINES_FOR_VERDICT = 8
MIN_LINE_ROWS, MAX_LINE_ROWS = 4, 60  # text-line heights at half resolution
COARSE_SCALE, FINE_SCALE = 0.125, 0.25  # of the page, for the skew searches
MIN_SHEET_EDGE_STEP = 30  # grey levels from a photographed sheet's edge to the table (measured 70-150)
BILEVEL_SMOOTHING = 0.8  # pixels (Gaussian sigma) at the page's own resolution, before it is scaled up
# A dashed rule: at least this many short flat dashes (inches) on one row, spanning this far.
MAX_DASH_HEIGHT, MIN_DASH_WIDTH, MAX_DASH_WIDTH = 0.02, 0.01, 0.2
MIN_RULE_DASHES, MIN_RULE_SPAN, MAX_RULED_ROW = 8, 0.7, 0.5
RUN_INTO_TEXT, MAX_GLYPH_HEIGHT = 0.05, 0.3  # inches: leaders end this close to their value; glyphs are lower
RULE_SEARCH_DPI = 150
# A dot leader's dots: no larger than this (inches), at most this far apart from one to the next, evenly
# (pitches within this share of their median), this many or more in a row.
MAX_DOT, MAX_DOT_PITCH, DOT_PITCH_SPREAD, MIN_LEADER_DOTS = 0.03, 0.12, 0.35, 6
# A cell's wall: a vertical stroke no thicker than this and at least this tall (inches: taller than a
# heading's letters), with print this close to it along this much of its height.
MAX_RULE_THICKNESS, MIN_WALL_HEIGHT, HUGGING, MIN_HUGGED_ROWS = 0.03, 0.3, 0.04, 0.06
MIN_ROW_RULE_WIDTH = 0.5  # inches: a rule between rows, longer than a dash
_TOUCH = 1  # pixels at RULE_SEARCH_DPI: ink ending this close to a rule's middle row only touches it


class CleanConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    target_dpi: int = 300
    max_skew: float = 12.0
    min_skew: float = 0.3  # below this a rotation costs more sharpness than it gains
    noise_ratio: float = 0.004  # share of isolated specks that calls for a median filter


def preprocess_page(page: PageImage, config: CleanConfig = CleanConfig()) -> PageImage:
    for step in (
        _unwarp_photo,
        _drop_fax_specks,
        _upscale,
        _flatten_background,
        _remove_specks,
        _orient_and_deskew,
        _fix_upside_down,
        _erase_dashed_rules,
        _erase_dot_leaders,
        _erase_cell_walls,
        _erase_row_rules,
    ):
        page = step(page, config)
    return page


def was_upscaled(page: PageImage) -> bool:
    """Whether cleaning scaled the page up (a fax, a low-resolution scan): where OCR takes one digit for
    another."""
    return any(step.startswith(UPSCALE_STEP) for step in page.steps)


def _with(page: PageImage, pixels: np.ndarray, step: str, dpi: int | None = None) -> PageImage:
    return PageImage(number=page.number, dpi=dpi or page.dpi, pixels=pixels, steps=(*page.steps, step))


def _page_corners(pixels: np.ndarray) -> np.ndarray | None:
    """The four corners of a sheet photographed on a darker background (top-left, top-right,
    bottom-right, bottom-left), or None when the sheet fills the image as in a scan."""
    small = cv2.resize(pixels, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    _, paper = cv2.threshold(cv2.GaussianBlur(small, (5, 5), 0), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    paper = cv2.morphologyEx(paper, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 15)))
    contours, _ = cv2.findContours(paper, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    sheet = max(contours, key=cv2.contourArea)
    if not 0.3 < cv2.contourArea(sheet) / small.size < 0.95 or not _has_sheet_edge(small, sheet):
        return None
    corners = cv2.approxPolyDP(sheet, 0.02 * cv2.arcLength(sheet, True), True).reshape(-1, 2)
    if len(corners) != 4:
        return None
    by_sum, by_diff = corners.sum(axis=1), np.diff(corners, axis=1).ravel()
    ordered = [
        corners[by_sum.argmin()],
        corners[by_diff.argmin()],
        corners[by_sum.argmax()],
        corners[by_diff.argmax()],
    ]
    return np.array(ordered, dtype=np.float32) * 4


def _has_sheet_edge(small: np.ndarray, sheet: np.ndarray) -> bool:
    """Whether the bright region ends in a step down to a darker background, as a sheet on a table does.
    On a sheet that fills the frame but is lit from one side, Otsu's threshold splits the page along the
    light's falloff into a bright and a dark part, and the bright part has four corners too: unwarping it
    cut off the dark side's text (a grey-lit CP14 photo lost every field but the notice number). Along
    such a split the brightness changes by a level or two across the boundary, across a real sheet's
    edge by 70 and more. Image borders are no edge (the erosion leaves them inside)."""
    region = np.zeros_like(small)
    cv2.drawContours(region, [sheet], -1, 255, cv2.FILLED)
    band = cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9))
    inside = (region > 0) & (cv2.erode(region, band) == 0)
    outside = (region == 0) & (cv2.dilate(region, band) > 0)
    if not inside.any() or not outside.any():
        return False
    return float(np.median(small[inside])) - float(np.median(small[outside])) >= MIN_SHEET_EDGE_STEP


def _unwarp_photo(page: PageImage, config: CleanConfig) -> PageImage:
    """A phone photo shows the sheet in perspective on a table: map the sheet back to a flat rectangle,
    so text rows are level again, and take its DPI from its width (a letter sheet is 8.5 in wide)."""
    corners = _page_corners(page.pixels)
    if corners is None:
        return page
    top_left, top_right, bottom_right, bottom_left = corners
    width = int(max(np.linalg.norm(top_right - top_left), np.linalg.norm(bottom_right - bottom_left)))
    height = int(max(np.linalg.norm(bottom_left - top_left), np.linalg.norm(bottom_right - top_right)))
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners, target)
    flat = cv2.warpPerspective(page.pixels, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=255)
    return _with(page, flat, "unwarp_photo", dpi=max(72, round(width / 8.5)))


def _drop_fax_specks(page: PageImage, config: CleanConfig) -> PageImage:
    """A fax or a bilevel scan is sprinkled with single black pixels that OCR reads as periods and commas
    ("$23, 509. 50"). On a black-and-white page, ink blobs of a pixel or two are removed, before scaling
    would blur them into larger ones; a period is several times bigger at any fax resolution."""
    if not _is_bilevel(page.pixels):
        return page
    ink = (page.pixels < 128).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    specks = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] <= max(2, round(2 * (page.dpi / 200) ** 2)))
    specks = specks[specks > 0]  # label 0 is the background
    if len(specks) < 50:
        return page
    cleaned = page.pixels.copy()
    cleaned[np.isin(labels, specks)] = 255
    return _with(page, cleaned, f"drop_specks:{len(specks)}")


def _is_bilevel(pixels: np.ndarray) -> bool:
    """Whether the page is black and white (a fax, a bilevel scan): almost no pixel is grey."""
    return bool(np.count_nonzero((pixels > 40) & (pixels < 215)) <= 0.01 * pixels.size)


def _upscale(page: PageImage, config: CleanConfig) -> PageImage:
    """A low-resolution page scaled to ``target_dpi``. A black-and-white one is smoothed first: scaled as it
    is, its staircase edges and the holes toner dropout leaves in strokes are scaled with it, and tesseract
    read a fax's bold zeros as 6 and 8 ("2624", "860-829-6922"); smoothed, they turn grey and tesseract's
    own threshold draws whole strokes (irs photo/fax corpus: faxes processed 7 -> 15 of 30)."""
    if page.dpi >= config.target_dpi * 0.85:
        return page
    step = f"{UPSCALE_STEP}:{page.dpi}->{config.target_dpi}dpi"
    pixels = page.pixels
    if _is_bilevel(pixels):
        pixels, step = cv2.GaussianBlur(pixels, (0, 0), BILEVEL_SMOOTHING), f"{step}:smoothed"
    factor = config.target_dpi / page.dpi
    pixels = cv2.resize(pixels, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
    return _with(page, pixels, step, config.target_dpi)


def _background(pixels: np.ndarray) -> np.ndarray:
    """The page without its ink: a closing wider than any stroke, on an eighth-size copy."""
    small = cv2.resize(pixels, None, fx=0.125, fy=0.125, interpolation=cv2.INTER_AREA)
    closed = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9)))
    return cv2.GaussianBlur(closed, (0, 0), 3)


def _flatten_background(page: PageImage, config: CleanConfig) -> PageImage:
    background = _background(page.pixels)
    low, high = np.percentile(background, (5, 95))
    if low > 200 and high - low < 25:
        return page  # already white and evenly lit
    full = cv2.resize(
        background, (page.pixels.shape[1], page.pixels.shape[0]), interpolation=cv2.INTER_LINEAR
    )
    flat = cv2.divide(page.pixels, np.maximum(full, 1), scale=255)
    return _with(page, flat, f"flatten_background:{low:.0f}-{high:.0f}")


def _remove_specks(page: PageImage, config: CleanConfig) -> PageImage:
    filtered = cv2.medianBlur(page.pixels, 3)
    specks = np.count_nonzero(cv2.absdiff(page.pixels, filtered) > 100) / page.pixels.size
    if specks < config.noise_ratio:
        return page
    return _with(page, filtered, f"median_blur:{specks:.4f}")


def _ink_mask(pixels: np.ndarray, scale: float) -> np.ndarray:
    small = cv2.resize(pixels, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    _, mask = cv2.threshold(small, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return mask


def _profile_score(mask: np.ndarray, angle: float) -> float:
    """How sharply the rows separate into text lines and gaps when the ink is turned by ``angle``."""
    height, width = mask.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    turned = cv2.warpAffine(mask, matrix, (width, height), flags=cv2.INTER_NEAREST)
    rows = turned.sum(axis=1, dtype=np.float64)
    return float(np.square(np.diff(rows)).sum())


def _coarse_angle(mask: np.ndarray, max_skew: float) -> tuple[float, float]:
    """(angle, score) of the sharpest row profile in half-degree steps."""
    angles = np.arange(-max_skew, max_skew + 0.01, 0.5)
    scores = [_profile_score(mask, float(angle)) for angle in angles]
    best = int(np.argmax(scores))
    return float(angles[best]), scores[best]


def _fine_angle(mask: np.ndarray, around: float) -> float:
    """The sharpest angle in tenth-degree steps within half a degree of ``around``."""
    fine = np.arange(around - 0.5, around + 0.51, 0.1)
    return round(float(max(fine, key=lambda angle: _profile_score(mask, float(angle)))), 2)


def estimate_skew(pixels: np.ndarray, max_skew: float) -> float:
    """The skew in degrees (counter-clockwise positive) of an upright page."""
    coarse, _ = _coarse_angle(_ink_mask(pixels, COARSE_SCALE), max_skew)
    return _fine_angle(_ink_mask(pixels, FINE_SCALE), coarse)


def _orient_and_deskew(page: PageImage, config: CleanConfig) -> PageImage:
    """Text lines give sharp row profiles. If the columns of the page are sharper than its rows at every
    skew, the page lies on its side: turn it a quarter. Then straighten the remaining skew. The coarse
    searches run on an eighth-size copy, the fine one on a quarter-size copy (20 ms a page)."""
    mask = _ink_mask(page.pixels, COARSE_SCALE)
    coarse, upright = _coarse_angle(mask, config.max_skew)
    _, sideways = _coarse_angle(np.ascontiguousarray(mask.T), config.max_skew)
    if sideways > 1.5 * upright:
        page = rotate_page(page, 90, "quarter_turn")
        angle = estimate_skew(page.pixels, config.max_skew)
    else:
        angle = _fine_angle(_ink_mask(page.pixels, FINE_SCALE), coarse)
    if abs(angle) < config.min_skew:
        return page
    height, width = page.pixels.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    turned = cv2.warpAffine(
        page.pixels,
        matrix,
        (width, height),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=255,
    )
    return _with(page, turned, f"deskew:{angle:+.2f}")


def ascender_ratio(pixels: np.ndarray) -> tuple[float, int]:
    """(ink below the x-height band / ink above it, text lines measured). Latin text has more ascenders
    and capitals than descenders: upright pages measure about 0.1-0.4, upside-down ones 3 and more."""
    mask = _ink_mask(pixels, 0.5)
    rows = mask.sum(axis=1, dtype=np.int64)
    is_ink = np.concatenate([[False], rows > max(3, 0.005 * mask.shape[1]), [False]])
    edges = np.flatnonzero(np.diff(is_ink.astype(np.int8)))
    above = below = lines = 0
    for start, end in zip(edges[::2], edges[1::2], strict=True):
        line = rows[start:end]
        if not MIN_LINE_ROWS <= len(line) <= MAX_LINE_ROWS:
            continue
        core = np.flatnonzero(line >= 0.5 * line.max())  # the x-height band
        above += int(line[: core[0]].sum())
        below += int(line[core[-1] + 1 :].sum())
        lines += 1
    return below / max(above, 1), lines


def _fix_upside_down(page: PageImage, config: CleanConfig) -> PageImage:
    """Turn an upside-down page before OCR reads it (a second reading costs 1.8 s, this 5 ms); record a
    clear verdict so the OCR stage needs no orientation check for a quarter-turned page."""
    ratio, lines = ascender_ratio(page.pixels)
    if lines < MIN_LINES_FOR_VERDICT or 1 / UPSIDE_DOWN_RATIO < ratio < UPSIDE_DOWN_RATIO:
        return page
    if ratio >= UPSIDE_DOWN_RATIO:
        return rotate_page(page, 180, f"upside_down:{ratio:.2f}")
    return _with(page, page.pixels, f"{UPRIGHT_STEP}:{ratio:.2f}")


def _erase_dashed_rules(page: PageImage, config: CleanConfig) -> PageImage:
    """Dashed rules between a header box's rows erased: tesseract's page layout took the rows between them
    for a picture and dropped their words ("Notice date    Apr. 15, 2026" read as "Notice date    15,"). A
    rule is a row of short flat dashes ruling a text row with another (``_dashes_in_rules``); a sentence's
    hyphens and dashes are too few, a solid rule is no dash. Found on a copy at ``RULE_SEARCH_DPI`` (10-30 ms
    a page); the dashes and their grey rims are painted the shade of the paper around them."""
    count, labels, stats, dpi = _components(page, 160)
    widths, heights = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    dashes = np.flatnonzero(
        (heights <= MAX_DASH_HEIGHT * dpi)
        & (widths >= MIN_DASH_WIDTH * dpi)
        & (widths <= MAX_DASH_WIDTH * dpi)
        & (widths >= 2 * heights)
    )
    rule_dashes = _dashes_in_rules(dashes[dashes > 0], stats, labels, dpi)
    if not len(rule_dashes):
        return page
    return _painted_over(page, _grown(labels, count, rule_dashes), f"erase_dashed_rules:{len(rule_dashes)}")


def _erase_dot_leaders(page: PageImage, config: CleanConfig) -> PageImage:
    """Dot leaders between a label and its value erased: tesseract reads a row of dots as words ("cess s cs
    say es") and garbles the label beside them with it ("Lnpaid BINOUNt MOM POOF" for "Unpaid amount from
    prior notices"). A leader is ``MIN_LEADER_DOTS`` or more dots (marks no larger than ``MAX_DOT`` inches,
    about as wide as tall) on one line, evenly spaced at most ``MAX_DOT_PITCH`` apart (``_leader_runs``); a
    sentence's full stops, an ellipsis and the dots of i's are too few or too uneven. Found on a copy at
    ``RULE_SEARCH_DPI``; the dots and their grey rims are painted the shade of the paper around them."""
    count, labels, stats, dpi = _components(page, 200)  # a small dot is grey on the copy
    widths, heights = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    largest = max(2, round(MAX_DOT * dpi))
    dots = np.flatnonzero(
        (widths <= largest)
        & (heights <= largest)
        & (np.maximum(widths, heights) <= 2 * np.minimum(widths, heights) + 1)
    )
    leader_dots = _leader_runs(dots[dots > 0], stats, dpi)
    if not len(leader_dots):
        return page
    return _painted_over(page, _grown(labels, count, leader_dots), f"erase_dot_leaders:{len(leader_dots)}")


def _leader_runs(dots: np.ndarray, stats: np.ndarray, dpi: float) -> np.ndarray:
    """The dots of runs of ``MIN_LEADER_DOTS`` or more whose middles lie within a pixel of the previous
    one's, each the next dot along at most ``MAX_DOT_PITCH`` inches on, the pitches within
    ``DOT_PITCH_SPREAD`` of their median; and the colon a typed leader ends in ("LETTER......: 03/10/2023",
    its lower dot on the leader's pitch), whole (``_stacked_on``): half of it left reads as a mark before
    the value ("> 12/31/2021")."""
    middles = stats[dots, cv2.CC_STAT_TOP] + stats[dots, cv2.CC_STAT_HEIGHT] / 2
    order = np.argsort(middles, kind="stable")
    dots, middles = dots[order], middles[order]
    found = []
    for line in np.split(dots, np.flatnonzero(np.diff(middles) > 1) + 1):
        line = line[np.argsort(stats[line, cv2.CC_STAT_LEFT], kind="stable")]
        lefts = stats[line, cv2.CC_STAT_LEFT].astype(float)
        for run in np.split(line, np.flatnonzero(np.diff(lefts) > MAX_DOT_PITCH * dpi) + 1):
            pitches = np.diff(stats[run, cv2.CC_STAT_LEFT].astype(float))
            if len(run) >= MIN_LEADER_DOTS and np.ptp(pitches) <= DOT_PITCH_SPREAD * np.median(pitches):
                found += [run, _stacked_on(run, dots, stats, dpi)]
    return np.unique(np.concatenate(found)) if found else np.array([], dtype=np.int64)


def _stacked_on(run: np.ndarray, dots: np.ndarray, stats: np.ndarray, dpi: float) -> np.ndarray:
    """The ``dots`` standing over or under a dot of ``run``, less than a tenth of an inch away (a colon's
    other half)."""
    centre_x = stats[:, cv2.CC_STAT_LEFT] + stats[:, cv2.CC_STAT_WIDTH] / 2
    centre_y = stats[:, cv2.CC_STAT_TOP] + stats[:, cv2.CC_STAT_HEIGHT] / 2
    across = np.abs(centre_x[run, None] - centre_x[None, dots]) <= stats[run, None, cv2.CC_STAT_WIDTH]
    apart = np.abs(centre_y[run, None] - centre_y[None, dots])
    return dots[np.any(across & (apart > 1) & (apart <= 0.1 * dpi), axis=0)]


def _erase_cell_walls(page: PageImage, config: CleanConfig) -> PageImage:
    """A table's cell walls that hug their text erased: tesseract reads a wall standing a few pixels from a
    value as a glyph ("[February 25, 2026 [2023") and its layout analysis garbles a grid of such cells
    ("Notice number    Date of this notice" read "umber    otice"). A wall is a straight vertical stroke
    ``MIN_WALL_HEIGHT`` inches tall, no thicker than ``MAX_RULE_THICKNESS``, with print within ``HUGGING``
    inches of it on a side; a box's side set apart from its text stays (it keeps the box's column apart from
    the address block beside it). Found on a copy at ``RULE_SEARCH_DPI``; the walls and their grey rims are
    painted the shade of the paper around them."""
    return _erase_hugging_strokes(page, MIN_WALL_HEIGHT, across=False, step="erase_cell_walls")


def _erase_row_rules(page: PageImage, config: CleanConfig) -> PageImage:
    """The rules between a table's rows that hug their text erased, as the walls are: ``MIN_ROW_RULE_WIDTH``
    inches long, print within ``HUGGING`` inches above or below. Left between a cell's label and value once
    the wall between them is gone, such a rule's ends are read as junk joined to the row ("Date ~~ +Nov. 15,
    2024", "Call us at~—~—~—(800) 829-1040"); a rule set apart from the text stays, and so does one print
    touches (an underline: ``_touched``)."""
    return _erase_hugging_strokes(page, MIN_ROW_RULE_WIDTH, across=True, step="erase_row_rules")


def _erase_hugging_strokes(page: PageImage, length: float, *, across: bool, step: str) -> PageImage:
    """Straight strokes at least ``length`` inches long, no thicker than ``MAX_RULE_THICKNESS``, with print
    within ``HUGGING`` inches on a side, painted the paper's shade: vertical ones, or horizontal ones
    (``across``: found as vertical on the transposed page)."""
    scale = min(1.0, RULE_SEARCH_DPI / page.dpi)
    small = cv2.resize(page.pixels, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ink = (small < 160).astype(np.uint8)
    ink = np.ascontiguousarray(ink.T) if across else ink
    dpi = page.dpi * scale
    tall = max(3, round(length * dpi))
    strokes = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, tall)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(strokes, connectivity=8)
    print_ink = _print_beside_rules(ink, strokes, dpi) if across else None
    found = [
        index
        for index in range(1, count)
        if stats[index, cv2.CC_STAT_WIDTH] <= MAX_RULE_THICKNESS * dpi
        and _hugs_print(stats[index], ink, dpi)
        and (print_ink is None or not _touched(stats[index], print_ink))
    ]
    if not found:
        return page
    grown = _grown(labels, count, np.array(found))
    return _painted_over(page, np.ascontiguousarray(grown.T) if across else grown, f"{step}:{len(found)}")


def _components(page: PageImage, darker_than: int) -> tuple[int, np.ndarray, np.ndarray, float]:
    """The connected components of the ink darker than ``darker_than`` on a copy at ``RULE_SEARCH_DPI``:
    their count, labels and stats, and the copy's resolution."""
    scale = min(1.0, RULE_SEARCH_DPI / page.dpi)
    small = cv2.resize(page.pixels, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        (small < darker_than).astype(np.uint8), connectivity=8
    )
    return count, labels, stats, page.dpi * scale


def _grown(labels: np.ndarray, count: int, found: np.ndarray) -> np.ndarray:
    """The pixels of the ``found`` components, a pixel more all round (their grey edges)."""
    marked = np.zeros(count, dtype=np.uint8)
    marked[found] = 1
    return cv2.dilate(marked[labels], np.ones((3, 3), np.uint8))


def _painted_over(page: PageImage, marked: np.ndarray, step: str) -> PageImage:
    """The page with the ``marked`` pixels of the search copy, scaled up, and their grey rims painted the
    paper's shade around them (white, or a shaded box's grey)."""
    height, width = page.pixels.shape
    erase = cv2.resize(marked, (width, height), interpolation=cv2.INTER_NEAREST).astype(bool)
    rims = cv2.dilate(erase.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool) & ~erase
    cleaned = page.pixels.copy()
    cleaned[erase] = np.median(page.pixels[rims])
    return _with(page, cleaned, step)


def _print_beside_rules(ink: np.ndarray, strokes: np.ndarray, dpi: float) -> np.ndarray:
    """The ink that is neither one of ``strokes`` nor a stroke across them (a box's side meeting a rule)."""
    across = max(3, round(MIN_WALL_HEIGHT * dpi))
    sides = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (across, 1)))
    return ink & ~strokes.astype(bool) & ~cv2.dilate(sides, np.ones((3, 3), np.uint8)).astype(bool)


def _touched(stroke: np.ndarray, print_ink: np.ndarray) -> bool:
    """Print touching the stroke itself: an underline under a word or an amount, which its descenders and
    its decimal point sit on (erased, it would take their edges with it), not a rule between rows."""
    left, top, width, height, _ = stroke
    beside = [column for column in (left - 1, left + width) if 0 <= column < print_ink.shape[1]]
    return int(print_ink[top : top + height, beside].sum()) >= 2


def _hugs_print(wall: np.ndarray, ink: np.ndarray, dpi: float) -> bool:
    """Print (not a parallel stroke: rows of ink the strip does not fill) within ``HUGGING`` inches of the
    stroke on a side: left or right of a wall; above or below a rule across (found on the transposed page)."""
    left, top, width, height, _ = wall
    reach, gap = max(2, round(HUGGING * dpi)), 2  # the wall's own grey edge is no print
    for start, stop in ((left - gap - reach, left - gap), (left + width + gap, left + width + gap + reach)):
        strip = ink[top : top + height, max(0, start) : max(0, stop)]
        if strip.size and (strip.any(axis=1) & ~strip.all(axis=1)).sum() >= MIN_HUGGED_ROWS * dpi:
            return True
    return False


def _dashes_in_rules(dashes: np.ndarray, stats: np.ndarray, labels: np.ndarray, dpi: float) -> np.ndarray:
    """The dashes of rules that rule rows: runs of dashes whose middles lie within two pixels of the
    previous one's, of ``MIN_RULE_DASHES`` or more spanning ``MIN_RULE_SPAN`` inches, that no other ink
    crosses (a leader's dashes run on into its value's hyphens, "12-31-2023", between the value's digits),
    nor runs up to text (``_runs_into_text``), with another such run a row's height (``MAX_RULED_ROW``
    inches) above or below. A lone dashed line (a stub's tear-off line) rules no row and stays."""
    middles = stats[dashes, cv2.CC_STAT_TOP] + stats[dashes, cv2.CC_STAT_HEIGHT] / 2
    order = np.argsort(middles, kind="stable")
    dashes, middles = dashes[order], middles[order]
    breaks = np.flatnonzero(np.diff(middles) > 2) + 1
    runs = [
        (run[np.argsort(stats[run, cv2.CC_STAT_LEFT])], round(float(row.mean())))
        for run, row in zip(np.split(dashes, breaks), np.split(middles, breaks), strict=True)
        if len(run) >= MIN_RULE_DASHES and _span(stats, run) >= MIN_RULE_SPAN * dpi
    ]
    runs = [
        (run, middle)
        for run, middle in runs
        if not _crossed(run, middle, stats, labels) and not _runs_into_text(run, middle, stats, dpi)
    ]
    rules = [
        run
        for run, middle in runs
        if any(0 < abs(other - middle) <= MAX_RULED_ROW * dpi for _, other in runs)
    ]
    return np.concatenate(rules) if rules else np.array([], dtype=np.int64)


def _crossed(run: np.ndarray, middle: int, stats: np.ndarray, labels: np.ndarray) -> bool:
    """Whether ink other than the run's dashes crosses its middle row between its ends, standing out above
    and below it (a value's digits around its hyphens). A glyph only touching the rule from one side (a
    table's first row printed hard under it, its dashes read as "“1040") does not cross it."""
    lefts = stats[run, cv2.CC_STAT_LEFT]
    right = int((lefts + stats[run, cv2.CC_STAT_WIDTH]).max())
    band = labels[max(0, middle - 1) : middle + 2, int(lefts.min()) : right]
    others = np.setdiff1d(band, np.append(run, 0))
    tops = stats[others, cv2.CC_STAT_TOP]
    bottoms = tops + stats[others, cv2.CC_STAT_HEIGHT]
    return bool(np.any((tops < middle - _TOUCH) & (bottoms > middle + 1 + _TOUCH)))


def _runs_into_text(run: np.ndarray, middle: int, stats: np.ndarray, dpi: float) -> bool:
    """Whether a text-sized mark spanning the run's middle row starts within ``RUN_INTO_TEXT`` inches after
    its last dash: leaders running up to their value, perhaps to its minus sign ("- - - -$800.00"), which
    erased would leave the amount positive (a box's side, taller than any glyph, is no text)."""
    left, _, width, _, _ = stats[run[-1]]
    starts, tops, heights = (
        stats[1:, column] for column in (cv2.CC_STAT_LEFT, cv2.CC_STAT_TOP, cv2.CC_STAT_HEIGHT)
    )
    beside = (starts > left + width) & (starts <= left + width + RUN_INTO_TEXT * dpi)
    glyphs = (tops <= middle) & (tops + heights > middle) & (heights <= MAX_GLYPH_HEIGHT * dpi)
    return bool(np.any(beside & glyphs))


def _span(stats: np.ndarray, run: np.ndarray) -> int:
    lefts = stats[run, cv2.CC_STAT_LEFT]
    return int((lefts + stats[run, cv2.CC_STAT_WIDTH]).max() - lefts.min())


def rotate_page(page: PageImage, degrees: int, reason: str) -> PageImage:
    """The page turned clockwise by ``degrees`` (a multiple of 90)."""
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return _with(page, cv2.rotate(page.pixels, codes[degrees % 360]), f"{reason}:{degrees}")


def turn_like(page: PageImage, steps: tuple[str, ...]) -> PageImage:
    """``page`` turned by the quarter turns recorded in ``steps`` (by ``rotate_page``), and nothing else."""
    degrees = sum(int(step.rsplit(":", 1)[1]) for step in steps if step.startswith(TURN_STEPS)) % 360
    return rotate_page(page, degrees, "turned_as_cleaned") if degrees else page
