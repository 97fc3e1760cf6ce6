//! SVG drawing of the admin dashboard's charts: stacked bars, a weekday × hour heatmap, a
//! histogram and a funnel. Each function returns one complete `<svg>` element that scales to
//! its container (`viewBox`, `width="100%"`), names itself for screen readers (`role="img"`,
//! `aria-label`, a `<title>`) and draws its own heading.
//!
//! The page is served under a strict CSP, so the drawing uses no script and no `style`
//! attributes: colours are presentation attributes and hover text is a `<title>` child.
//! Every piece of text is XML-escaped here, so labels may be user text.
//!
//! It must not know the store, the service, or how the figures are computed: callers pass
//! plain labels and counts. Pure and deterministic: the same figures give the same bytes.

/// Series colours in the order series are given; a ninth series reuses the first. Each has at
/// least 3:1 contrast against the white background (WCAG 1.4.11).
pub const PALETTE: [&str; 8] = [
    "#0072B2", "#B07800", "#009E73", "#C0569B", "#D55E00", "#6A3D9A", "#4D7A00", "#555555",
];

/// What an empty or all-zero chart says.
pub const NO_DATA: &str = "No data yet";

const AXIS: &str = "#999999";
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
/// The plot area of the charts with a y axis.
const LEFT: f64 = 48.0;
const TOP: f64 = 36.0;
const BOTTOM: f64 = 236.0;
const AXIS_CHART_HEIGHT: f64 = 264.0;
/// At most this many category labels are written under an x axis; the others are skipped.
const MAX_X_LABELS: usize = 12;

/// Bookings per category (week), one bar each, stacked by series (channel) in the order given,
/// with a legend. A series shorter than `categories` counts 0 for the missing ones; a zero
/// segment is not drawn. Up to 10 series fit in the legend.
pub fn stacked_bars(title: &str, categories: &[String], series: &[(&str, Vec<u32>)]) -> String {
    let right = 500.0;
    let value = |s: &(&str, Vec<u32>), c: usize| u64::from(s.1.get(c).copied().unwrap_or(0));
    let totals = (0..categories.len()).map(|c| series.iter().map(|s| value(s, c)).sum::<u64>());
    let max = totals.max().unwrap_or(0);
    let mut svg = Svg::open(title, AXIS_CHART_HEIGHT);
    let top = svg.y_axis(max, right);
    for c in 0..categories.len() {
        let (x, width) = column(c, categories.len(), right);
        let mut below = 0;
        for (i, s) in series.iter().enumerate().filter(|(_, s)| value(s, c) > 0) {
            let (y0, y1) = (y_at(below, top), y_at(below + value(s, c), top));
            let hover = format!("{}: {}", s.0, value(s, c));
            svg.rect([x, y1, width, y0 - y1], PALETTE[i % PALETTE.len()], &hover);
            below += value(s, c);
        }
    }
    svg.x_labels(categories.iter().map(String::as_str), right);
    for (i, s) in series.iter().enumerate() {
        let y = TOP + 20.0 * i as f64;
        svg.rect([516.0, y, 12.0, 12.0], PALETTE[i % PALETTE.len()], s.0);
        svg.text(534.0, y + 10.0, "start", &short(s.0, 14));
    }
    svg.finish(max == 0, (LEFT + right) / 2.0, (TOP + BOTTOM) / 2.0)
}

/// Bookings by weekday (rows Mon..Sun) and hour of day (columns 0–23), each cell shaded in
/// proportion to its count against the busiest cell; an empty cell is light grey.
pub fn heatmap(title: &str, counts: &[[u32; 24]; 7]) -> String {
    let (x0, y0, cell_w, cell_h) = (44.0, 52.0, 24.0, 22.0);
    let max = counts.iter().flatten().copied().max().unwrap_or(0);
    let bottom = y0 + 7.0 * cell_h;
    let mut svg = Svg::open(title, bottom + 28.0);
    for hour in (0..24).step_by(3) {
        let x = x0 + cell_w * (f64::from(hour) + 0.5);
        svg.text(x, y0 - 8.0, "middle", &format!("{hour:02}:00"));
    }
    for (d, (day, row)) in WEEKDAYS.iter().zip(counts).enumerate() {
        let y = y0 + cell_h * d as f64;
        svg.text(x0 - 6.0, y + cell_h / 2.0 + 4.0, "end", day);
        for (hour, &n) in row.iter().enumerate() {
            let cell = [x0 + cell_w * hour as f64, y, cell_w - 2.0, cell_h - 2.0];
            let hover = format!("{day} {hour:02}:00 — {}", bookings(n));
            svg.rect(cell, &shade(n, max), &hover);
        }
    }
    if max > 0 {
        let legend = format!("Darker is busier (busiest hour: {})", bookings(max));
        svg.text(x0, bottom + 18.0, "start", &legend);
    }
    svg.finish(max == 0, x0 + 12.0 * cell_w, y0 + 3.5 * cell_h + 4.0)
}

/// One vertical bar per bucket (lead times, say) with its label under it and its count above.
pub fn histogram(title: &str, buckets: &[(String, u32)]) -> String {
    let right = 624.0;
    let max = buckets.iter().map(|b| u64::from(b.1)).max().unwrap_or(0);
    let mut svg = Svg::open(title, AXIS_CHART_HEIGHT);
    let top = svg.y_axis(max, right);
    for (i, (label, n)) in buckets.iter().enumerate().filter(|_| max > 0) {
        let (x, width) = column(i, buckets.len(), right);
        let y = y_at(u64::from(*n), top);
        svg.rect(
            [x, y, width, BOTTOM - y],
            PALETTE[0],
            &format!("{label}: {n}"),
        );
        svg.text(x + width / 2.0, y - 4.0, "middle", &n.to_string());
    }
    svg.x_labels(buckets.iter().map(|b| b.0.as_str()), right);
    svg.finish(max == 0, (LEFT + right) / 2.0, (TOP + BOTTOM) / 2.0)
}

/// Horizontal bars, one per step in the order given (the first is expected to be the widest),
/// each with its name, its count and its share of the first step. Bars are scaled to the
/// largest step; the share is left out when the first step is 0.
pub fn funnel(title: &str, steps: &[(String, u32)]) -> String {
    let (bar_x, bar_max, top, row) = (158.0, 360.0, 36.0, 32.0);
    let bottom = top + row * steps.len().max(1) as f64;
    let first = steps.first().map_or(0, |s| s.1);
    let max = steps.iter().map(|s| s.1).max().unwrap_or(0);
    let mut svg = Svg::open(title, bottom + 8.0);
    svg.line([bar_x, top], [bar_x, bottom], AXIS);
    for (i, (name, n)) in steps.iter().enumerate() {
        let y = top + 5.0 + row * i as f64;
        let width = bar_max * f64::from(*n) / f64::from(max.max(1));
        let figure = share(*n, first).map_or(n.to_string(), |p| format!("{n} ({p})"));
        svg.text(bar_x - 8.0, y + 15.0, "end", &short(name, 22));
        if width > 0.0 {
            let hover = format!("{name}: {figure}");
            svg.rect([bar_x, y, width, 22.0], PALETTE[0], &hover);
        }
        svg.text(bar_x + width + 6.0, y + 15.0, "start", &figure);
    }
    svg.finish(max == 0, bar_x + bar_max / 2.0, (top + bottom) / 2.0 + 4.0)
}

/// An SVG document being written; every title, label and hover text given to it is escaped.
struct Svg(String);

impl Svg {
    /// The opening tag, the accessible name and the visible heading.
    fn open(title: &str, height: f64) -> Self {
        let t = esc(title);
        Self(format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 {}" width="100%" role="img" aria-label="{t}" font-family="system-ui, sans-serif" font-size="12" fill="#333333"><title>{t}</title><text x="8" y="20" font-size="14" font-weight="600">{t}</text>"##,
            num(height)
        ))
    }

    /// A filled box `[x, y, width, height]` with its hover text.
    fn rect(&mut self, [x, y, w, h]: [f64; 4], fill: &str, hover: &str) {
        let (x, y, w, h, hover) = (num(x), num(y), num(w), num(h), esc(hover));
        self.0 += &format!(
            r##"<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{fill}" stroke="#ffffff" stroke-width="0.5"><title>{hover}</title></rect>"##
        );
    }

    /// `content` at (x, y); `anchor` is "start", "middle" or "end".
    fn text(&mut self, x: f64, y: f64, anchor: &str, content: &str) {
        let (x, y, content) = (num(x), num(y), esc(content));
        self.0 += &format!(r#"<text x="{x}" y="{y}" text-anchor="{anchor}">{content}</text>"#);
    }

    fn line(&mut self, [x1, y1]: [f64; 2], [x2, y2]: [f64; 2], stroke: &str) {
        let (x1, y1, x2, y2) = (num(x1), num(y1), num(x2), num(y2));
        self.0 += &format!(r#"<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{stroke}"/>"#);
    }

    /// Round ticks with grid lines up to at least `max`, and the two axis lines; returns the
    /// axis top.
    fn y_axis(&mut self, max: u64, right: f64) -> u64 {
        let (step, top) = ticks(max);
        for v in (0..=top).step_by(usize::try_from(step).unwrap_or(usize::MAX)) {
            let y = y_at(v, top);
            self.line([LEFT, y], [right, y], "#e5e5e5");
            self.text(LEFT - 6.0, y + 4.0, "end", &v.to_string());
        }
        self.line([LEFT, TOP], [LEFT, BOTTOM], AXIS);
        self.line([LEFT, BOTTOM], [right, BOTTOM], AXIS);
        top
    }

    /// Labels centred under the bars; with many bars only every k-th is written.
    fn x_labels<'a>(&mut self, labels: impl ExactSizeIterator<Item = &'a str>, right: f64) {
        let n = labels.len();
        for (i, label) in labels.enumerate().step_by(n.div_ceil(MAX_X_LABELS).max(1)) {
            let (x, width) = column(i, n, right);
            self.text(x + width / 2.0, BOTTOM + 16.0, "middle", &short(label, 12));
        }
    }

    /// The document, saying "No data yet" at (x, y) when `empty`.
    fn finish(mut self, empty: bool, x: f64, y: f64) -> String {
        if empty {
            self.text(x, y, "middle", NO_DATA);
        }
        self.0 + "</svg>"
    }
}

/// A round tick step (1, 2, 5 × 10ⁿ) and the axis top it reaches, for values up to `max`:
/// at most 5 steps, and a top of at least 1 so that scaling never divides by zero.
fn ticks(max: u64) -> (u64, u64) {
    let mut base = 1u64;
    loop {
        for m in [1, 2, 5] {
            let step = base.saturating_mul(m);
            if max.div_ceil(step) <= 5 {
                return (step, max.div_ceil(step).max(1).saturating_mul(step));
            }
        }
        base = base.saturating_mul(10);
    }
}

fn y_at(value: u64, top: u64) -> f64 {
    BOTTOM - (BOTTOM - TOP) * value as f64 / top.max(1) as f64
}

/// Left edge and width of bar `i` of `n` between the y axis and `right`.
fn column(i: usize, n: usize, right: f64) -> (f64, f64) {
    let slot = (right - LEFT) / n.max(1) as f64;
    (LEFT + slot * (i as f64 + 0.15), slot * 0.7)
}

/// Light grey for nothing, else light to dark blue by `count / max`, never as pale as empty.
fn shade(count: u32, max: u32) -> String {
    if count == 0 || max == 0 {
        return "#eeeeee".into();
    }
    let t = 0.15 + 0.85 * f64::from(count) / f64::from(max);
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
    let [r, g, b] = [(0xde, 0x08), (0xeb, 0x30), (0xf7, 0x6b)].map(|(a, b)| mix(a, b));
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn bookings(n: u32) -> String {
    format!("{n} booking{}", if n == 1 { "" } else { "s" })
}

/// `n` as a whole percentage of `first` (halves round up); a non-zero share under 1% reads "<1%".
fn share(n: u32, first: u32) -> Option<String> {
    match f64::from(n) * 100.0 / f64::from(first) {
        _ if first == 0 => None,
        p if n > 0 && p < 1.0 => Some("<1%".into()),
        p => Some(format!("{}%", p.round())),
    }
}

/// A coordinate to one decimal, without a trailing ".0" (`Display` never writes an exponent).
fn num(x: f64) -> String {
    ((x * 10.0).round() / 10.0 + 0.0).to_string()
}

/// At most `max` characters, the last one an ellipsis when cut.
fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.into();
    }
    s.chars().take(max - 1).chain(['…']).collect()
}

/// `s` safe in XML text and attribute values; control characters, which XML 1.0 forbids or
/// would fold, become spaces.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::{Reader, events::Event};

    const HOSTILE: &str = r#"<script>alert("x")</script> & 'Bob'"#;

    fn owned(pairs: &[(&str, u32)]) -> Vec<(String, u32)> {
        pairs.iter().map(|&(s, n)| (s.to_string(), n)).collect()
    }

    /// Parses `svg` to the end and returns the heights of the rects that carry a `<title>`
    /// (all of them: bar segments, legend swatches, heatmap cells), in document order.
    fn titled_rect_heights(svg: &str) -> Vec<f64> {
        let (mut reader, mut heights) = (Reader::from_str(svg), Vec::new());
        loop {
            match reader.read_event().expect("the SVG is well-formed XML") {
                Event::Eof => return heights,
                Event::Start(e) if e.name().as_ref() == "rect" => {
                    let height = e.try_get_attribute("height").expect("attribute reads");
                    let height = height.expect("a rect has a height").value;
                    heights.push(height.parse().expect("height is a number"));
                }
                _ => {}
            }
        }
    }

    /// Charts with hostile labels (titled HOSTILE), then empty and all-zero ones.
    fn samples() -> Vec<String> {
        let weeks = ["Nov 2", "Nov 9", HOSTILE].map(String::from);
        let mut counts = [[0u32; 24]; 7];
        (counts[1][10], counts[4][15]) = (3, 1);
        let page = [("page", vec![1, 2, 3]), (HOSTILE, vec![4])];
        let leads = owned(&[("same day", 4), (HOSTILE, 9), ("later", 0)]);
        let steps = owned(&[("viewed", 200), (HOSTILE, 50), ("booked", 1)]);
        let zeros = owned(&[("viewed", 0), ("booked", 0)]);
        vec![
            stacked_bars(HOSTILE, &weeks, &page),
            heatmap(HOSTILE, &counts),
            histogram(HOSTILE, &leads),
            funnel(HOSTILE, &steps),
            stacked_bars("empty", &[], &[]),
            stacked_bars("zero", &weeks, &[("page", vec![0, 0, 0])]),
            heatmap("zero", &[[0; 24]; 7]),
            histogram("empty", &[]),
            histogram("zero", &zeros),
            funnel("empty", &[]),
            funnel("zero", &zeros),
        ]
    }

    #[test]
    fn every_chart_is_well_formed_accessible_svg() {
        for svg in samples() {
            titled_rect_heights(&svg);
            assert!(svg.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="#));
            let named = svg.contains(r#"role="img""#) && svg.contains("aria-label=");
            let scales = svg.contains(r#"width="100%""#) && !svg.contains("style=");
            assert!(named && scales, "{svg}");
        }
    }

    #[test]
    fn hostile_labels_are_escaped_everywhere() {
        for svg in &samples()[..4] {
            assert!(!svg.contains("<script") && !svg.contains("'Bob'"), "{svg}");
            assert!(svg.contains(
                "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;Bob&apos;"
            ));
        }
    }

    #[test]
    fn empty_and_zero_charts_draw_an_axis_say_no_data_and_contain_no_nan() {
        for svg in &samples()[4..] {
            let axis = svg.contains("<line") || svg.contains(">03:00</text>");
            assert!(svg.contains(NO_DATA) && axis, "{svg}");
            assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        }
    }

    #[test]
    fn heatmap_has_one_titled_cell_per_weekday_hour() {
        let svg = &samples()[1];
        assert_eq!(titled_rect_heights(svg).len(), 168);
        assert!(svg.contains("<title>Tue 10:00 — 3 bookings</title>"));
        assert!(svg.contains("<title>Fri 15:00 — 1 booking</title>"));
    }

    #[test]
    fn stacked_segments_sum_to_their_bar_on_a_round_axis() {
        let weeks = ["Nov 2", "Nov 9"].map(String::from);
        let series = [("page", vec![2, 4]), ("chat", vec![3, 1]), ("api", vec![5])];
        let svg = stacked_bars("By channel", &weeks, &series);
        // Totals 10 and 5 give an axis 0..10 by 2, so 20 of the plot's 200 units per booking;
        // then come the three 12-unit legend swatches.
        let heights = [40.0, 60.0, 100.0, 80.0, 20.0, 12.0, 12.0, 12.0];
        assert_eq!(titled_rect_heights(&svg), heights);
        assert!(svg.contains("<title>chat: 3</title>") && svg.contains(">10</text>"));
        let again = stacked_bars("By channel", &weeks, &series);
        assert_eq!(svg, again, "deterministic");
    }

    #[test]
    fn ticks_are_round_and_few() {
        for (max, expected) in [(0, (1, 1)), (7, (2, 8)), (10, (2, 10)), (48, (10, 50))] {
            assert_eq!(ticks(max), expected, "max {max}");
        }
        assert_eq!(ticks(u64::MAX).0, 5_000_000_000_000_000_000);
    }

    #[test]
    fn funnel_shares_are_of_the_first_step() {
        let cases = [
            (50, 200, Some("25%")),
            (1, 200, Some("<1%")),
            (1, 8, Some("13%")),
        ];
        for (n, first, expected) in cases.into_iter().chain([(3, 0, None), (0, 8, Some("0%"))]) {
            assert_eq!(share(n, first).as_deref(), expected, "{n} of {first}");
        }
        assert!(samples()[3].contains("50 (25%)") && samples()[3].contains("1 (&lt;1%)"));
        assert!(funnel("f", &owned(&[("viewed", 0), ("booked", 3)])).contains(">3</text>"));
    }
}
