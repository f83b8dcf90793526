//! The charts, drawn at build time with plotters as SVG. Each comes out as
//! an accessible `<svg role="img">` with a `<title>` and a `<desc>`, ready
//! to be placed inline in a page.

use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Given referrals (advisor → partner).
pub const GIVEN: RGBColor = RGBColor(0x1f, 0x5f, 0xbf);
/// Received referrals (partner → advisor).
pub const RECEIVED: RGBColor = RGBColor(0xd9, 0x6a, 0x00);
/// Net-new business.
pub const NET_NEW: RGBColor = RGBColor(0x2e, 0x8b, 0x57);
/// Existing clients.
pub const EXISTING: RGBColor = RGBColor(0x8a, 0x94, 0xa6);
/// The colour of a stage, the same as the stylesheet's `.stage-…` badges
/// (both read it from `analysis::STAGES`).
pub fn stage_color(stage: crate::analysis::Stage) -> RGBColor {
    let crate::analysis::stage::Rgb(r, g, b) = stage.colour();
    RGBColor(r, g, b)
}

const INK: RGBColor = RGBColor(0x1f, 0x29, 0x37);
const GRID: RGBColor = RGBColor(0xe5, 0xe7, 0xeb);
const MUTED: RGBColor = RGBColor(0x4b, 0x55, 0x63);

const FONT: &str = "sans-serif";

/// The narrowest a chart is drawn on a phone 390 px wide (the page less
/// its margins and a card's padding), in CSS pixels. A chart is scaled to
/// the width of its box, never above its drawn width.
pub const NARROWEST: f64 = 330.0;

/// The smallest text on a chart in CSS pixels, however narrow its box.
pub const MIN_TEXT_PX: f64 = 11.0;

/// plotters writes a font size in its own units, 1.24 of them to a pixel.
const UNITS_PER_PX: f64 = 1.24;

/// The font size (in plotters' units) of the text of a chart drawn
/// `width` pixels wide, so that the text is still [`MIN_TEXT_PX`] once
/// the chart is scaled down to [`NARROWEST`], and never below 14 units
/// (about 11.3 px) on a wide screen.
pub fn text_units(width: u32) -> u32 {
    let px = MIN_TEXT_PX * f64::from(width).max(NARROWEST) / NARROWEST;
    ((px * UNITS_PER_PX).ceil() as u32).max(14)
}

/// The pixel size of text of `units`.
fn units_px(units: u32) -> i32 {
    (f64::from(units) / UNITS_PER_PX).round() as i32
}

fn init_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let bytes: &'static [u8] = include_bytes!("../../assets/DejaVuSans.ttf");
        for style in [FontStyle::Normal, FontStyle::Bold] {
            plotters::style::register_font(FONT, style, bytes)
                .unwrap_or_else(|_| panic!("the embedded font is valid"));
        }
    });
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Turns plotters' `<svg …>` into an accessible image with a title and a
/// description.
fn finish(svg: String, id: &str, title: &str, desc: &str) -> String {
    let Some(open_end) = svg.find('>') else {
        return svg;
    };
    let open = &svg[..open_end];
    let attrs = open.trim_start_matches("<svg");
    let mut out = String::with_capacity(svg.len() + title.len() + desc.len() + 200);
    out.push_str("<svg");
    out.push_str(attrs);
    // Scaled to its box, never wider than drawn (the stylesheet gives it
    // the box's width).
    let width = attrs
        .split("width=\"")
        .nth(1)
        .and_then(|w| w.split('"').next())
        .unwrap_or("0");
    out.push_str(&format!(" style=\"max-width:{width}px\""));
    out.push_str(&format!(
        " role=\"img\" class=\"chart\" aria-labelledby=\"{id}-t {id}-d\"><title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        xml_escape(title),
        xml_escape(desc)
    ));
    out.push_str(&svg[open_end + 1..]);
    // One line per element is plenty; drop the blank lines plotters leaves.
    if out.contains('\n') {
        out.retain(|c| c != '\n');
    }
    out.push('\n');
    out
}

/// A series of bars: its name, color and one value per category.
pub struct Series<'a> {
    pub name: &'a str,
    pub color: RGBColor,
    pub values: &'a [f64],
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

fn legend(root: &Area, series: &[Series], x: i32, y: i32, units: u32) {
    let style = (FONT, units).into_font().color(&INK);
    let h = units_px(units) / 2;
    let mut x = x;
    for s in series {
        let _ = root.draw(&Rectangle::new(
            [(x, y - h), (x + 2 * h, y + h)],
            s.color.filled(),
        ));
        let _ = root.draw(&Text::new(
            s.name.to_string(),
            (x + 2 * h + 5, y + 1),
            style.pos(Pos::new(HPos::Left, VPos::Center)),
        ));
        let width = root
            .estimate_text_size(s.name, &style)
            .map_or(60, |(w, _)| w as i32);
        x += width + 2 * h + 24;
    }
}

/// The smallest top of a scale of counts: one referral is one of four
/// steps, not the whole height.
pub const MIN_TOP: f64 = 4.0;

/// The top of a scale of counts: at least [`MIN_TOP`], then every whole
/// number up to 5, then multiples of 5 (so ticks fall on whole numbers).
fn nice_max(max: f64) -> f64 {
    let m = max.ceil().max(MIN_TOP);
    if m < 5.0 {
        m
    } else {
        (m / 5.0).ceil() * 5.0
    }
}

/// The top of the value axis for columns of these series.
pub fn columns_top(n: usize, series: &[Series], stacked: bool) -> f64 {
    let max = if stacked {
        (0..n)
            .map(|i| {
                series
                    .iter()
                    .map(|s| s.values.get(i).copied().unwrap_or(0.0))
                    .sum::<f64>()
            })
            .fold(0.0, f64::max)
    } else {
        series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .fold(0.0, f64::max)
    };
    nice_max(max)
}

/// A column chart without its bars: axes, grid, category labels and
/// legend drawn by plotters, and where the plotting area lies, so that
/// bars for any data up to `top` can be added without drawing the rest
/// again. Many partner pages share one frame.
pub struct Frame {
    /// The SVG up to (not including) its closing tag.
    head: String,
    n: usize,
    top: f64,
    /// Pixel x of category -0.5 and n-0.5, pixel y of value 0 and `top`.
    left: f64,
    right: f64,
    bottom: f64,
    upper: f64,
    /// The last category is a period still running.
    so_far: bool,
}

/// Draws the frame of a column chart. With `so_far`, the last category
/// is a period still running (the current quarter): its label says "so
/// far" and its bars are drawn lighter.
pub fn column_frame(
    categories: &[String],
    series: &[Series],
    top: f64,
    size: (u32, u32),
    y_desc: &str,
    so_far: bool,
) -> Frame {
    init_font();
    let n = categories.len().max(1);
    let units = text_units(size.0);
    let text_px = units_px(units);
    let mut buf = String::new();
    let mut corners = (0.0, 0.0, 0.0, 0.0);
    {
        let root = SVGBackend::with_string(&mut buf, size).into_drawing_area();
        let _ = root.fill(&WHITE);
        let lines = if so_far { 2 } else { 1 };
        let y_area = text_px * 2 + 8 + if y_desc.is_empty() { 0 } else { text_px + 6 };
        let built = ChartBuilder::on(&root)
            .margin_top((text_px * 2 + 6) as u32)
            .margin_right(12)
            .margin_left(6)
            .x_label_area_size((text_px * (lines + 1) + 4) as u32)
            .y_label_area_size(y_area as u32)
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..top);
        if let Ok(mut chart) = built {
            let label_style = (FONT, units).into_font().color(&MUTED);
            let ticks = if top <= 6.0 { top as usize } else { 5 };
            let _ = chart
                .configure_mesh()
                .disable_x_mesh()
                .disable_x_axis()
                .x_labels(0)
                .y_labels(ticks + 1)
                .y_label_formatter(&|v| {
                    if (v - v.round()).abs() < 1e-9 {
                        format!("{}", v.round() as i64)
                    } else {
                        String::new()
                    }
                })
                .y_label_style(label_style.clone())
                .y_desc(y_desc)
                .axis_desc_style((FONT, units).into_font().color(&MUTED))
                .light_line_style(WHITE)
                .bold_line_style(GRID)
                .axis_style(MUTED)
                .draw();
            // Category labels under each group: every one when they fit,
            // thinned only when crowded, counting back from the last (the
            // current period, always named).
            let widest = categories
                .iter()
                .filter_map(|c| root.estimate_text_size(c, &label_style).ok())
                .map(|(w, _)| f64::from(w))
                .fold(0.0, f64::max)
                + 8.0;
            let room = f64::from(size.0) - f64::from(y_area as u32) - 18.0;
            let every = (n as f64 * widest / room.max(1.0)).ceil().max(1.0) as usize;
            for (i, c) in categories.iter().enumerate() {
                if !(n - 1 - i).is_multiple_of(every) {
                    continue;
                }
                let (px_, py) = chart.backend_coord(&(i as f64, 0.0));
                let _ = root.draw(&Text::new(
                    c.clone(),
                    (px_, py + 6),
                    label_style.pos(Pos::new(HPos::Center, VPos::Top)),
                ));
                if so_far && i == n - 1 {
                    let _ = root.draw(&Text::new(
                        "so far",
                        (px_, py + 8 + text_px),
                        label_style.pos(Pos::new(HPos::Center, VPos::Top)),
                    ));
                }
            }
            legend(&root, series, y_area - 6, text_px + 2, units);
            let (l, b) = chart.backend_coord(&(-0.5, 0.0));
            let (r, u) = chart.backend_coord(&(n as f64 - 0.5, top));
            corners = (f64::from(l), f64::from(r), f64::from(b), f64::from(u));
        }
        let _ = root.present();
    }
    let mut head = match buf.rfind("</svg>") {
        Some(i) => buf[..i].to_string(),
        None => buf,
    };
    head.retain(|c| c != '\n');
    Frame {
        head,
        n,
        top,
        left: corners.0,
        right: corners.1,
        bottom: corners.2,
        upper: corners.3,
        so_far,
    }
}

impl Frame {
    fn x(&self, v: f64) -> i64 {
        (self.left + (v + 0.5) / self.n as f64 * (self.right - self.left)).round() as i64
    }

    fn y(&self, v: f64) -> i64 {
        (self.bottom - v / self.top * (self.bottom - self.upper)).round() as i64
    }

    /// The whole chart: this frame with bars for `series`.
    pub fn with_bars(
        &self,
        series: &[Series],
        stacked: bool,
        id: &str,
        title: &str,
        desc: &str,
    ) -> String {
        use std::fmt::Write;
        let mut svg = String::with_capacity(self.head.len() + 64 * self.n * series.len() + 16);
        svg.push_str(&self.head);
        let k = series.len().max(1) as f64;
        let group = 0.8;
        for i in 0..self.n {
            let x = i as f64;
            let mut base = 0.0;
            for (j, s) in series.iter().enumerate() {
                let v = s.values.get(i).copied().unwrap_or(0.0).min(self.top);
                if v <= 0.0 {
                    continue;
                }
                let (x0, x1, y0, y1) = if stacked {
                    let r = (
                        x - group / 2.0,
                        x + group / 2.0,
                        base,
                        (base + v).min(self.top),
                    );
                    base += v;
                    r
                } else {
                    let w = group / k;
                    let x0 = x - group / 2.0 + w * j as f64;
                    (x0, x0 + w * 0.92, 0.0, v)
                };
                let (px0, px1, py0, py1) = (self.x(x0), self.x(x1), self.y(y1), self.y(y0));
                let RGBColor(r, g, b) = s.color;
                // A period still running: lighter, with a dashed outline.
                let partial = if self.so_far && i + 1 == self.n {
                    format!(
                        " fill-opacity=\"0.45\" stroke=\"#{r:02X}{g:02X}{b:02X}\" stroke-dasharray=\"4 3\""
                    )
                } else {
                    String::new()
                };
                let _ = write!(
                    svg,
                    "<rect x=\"{px0}\" y=\"{py0}\" width=\"{}\" height=\"{}\" fill=\"#{r:02X}{g:02X}{b:02X}\"{partial}/>",
                    px1 - px0,
                    py1 - py0
                );
            }
        }
        svg.push_str("</svg>");
        finish(svg, id, title, desc)
    }
}

/// Vertical bars, one group per category, side by side or stacked.
#[allow(clippy::too_many_arguments)]
pub fn columns(
    id: &str,
    title: &str,
    desc: &str,
    categories: &[String],
    series: &[Series],
    stacked: bool,
    size: (u32, u32),
    y_desc: &str,
    so_far: bool,
) -> String {
    let top = columns_top(categories.len(), series, stacked);
    column_frame(categories, series, top, size, y_desc, so_far)
        .with_bars(series, stacked, id, title, desc)
}

/// Horizontal bars, one row per category (names on the left).
pub fn rows(
    id: &str,
    title: &str,
    desc: &str,
    categories: &[String],
    series: &[Series],
    width: u32,
    label_width: u32,
) -> String {
    rows_colored(
        id,
        title,
        desc,
        categories,
        series,
        None,
        width,
        label_width,
    )
}

/// Horizontal bars as [`rows`], with one colour per category when
/// `colors` is given (one series; the legend is left out then).
#[allow(clippy::too_many_arguments)]
pub fn rows_colored(
    id: &str,
    title: &str,
    desc: &str,
    categories: &[String],
    series: &[Series],
    colors: Option<&[RGBColor]>,
    width: u32,
    label_width: u32,
) -> String {
    init_font();
    let n = categories.len().max(1);
    let units = text_units(width);
    let text_px = units_px(units) as u32;
    let row_h = text_px * 2 + if series.len() > 1 { 4 } else { 2 };
    let height = text_px * 6 + row_h * n as u32;
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .fold(0.0, f64::max);
    let top = nice_max(max);
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (width, height)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let label_style = (FONT, units).into_font().color(&INK);
        let built = ChartBuilder::on(&root)
            .margin_top(text_px * 3)
            .margin_right(16)
            .margin_left(6)
            .x_label_area_size(text_px * 2 + 4)
            .y_label_area_size(label_width)
            .build_cartesian_2d(0f64..top, -0.5f64..(n as f64 - 0.5));
        let Ok(mut chart) = built else {
            return String::new();
        };
        let ticks = if top <= 6.0 { top as usize } else { 5 };
        let _ = chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(ticks + 1)
            .x_label_formatter(&|v| {
                if (v - v.round()).abs() < 1e-9 {
                    format!("{}", v.round() as i64)
                } else {
                    String::new()
                }
            })
            .x_label_style((FONT, units).into_font().color(&MUTED))
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .axis_style(MUTED)
            .draw();
        let k = series.len().max(1) as f64;
        let band = 0.76;
        for (i, c) in categories.iter().enumerate() {
            // Row 0 at the top.
            let y = (n - 1 - i) as f64;
            for (j, s) in series.iter().enumerate() {
                let v = s.values.get(i).copied().unwrap_or(0.0);
                if v <= 0.0 {
                    continue;
                }
                let h = band / k;
                let y1 = y + band / 2.0 - h * j as f64;
                let color = colors.and_then(|c| c.get(i)).copied().unwrap_or(s.color);
                let _ = chart.draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y1 - h * 0.9), (v, y1)],
                    color.filled(),
                )));
            }
            let (px, py) = chart.backend_coord(&(0.0, y));
            // About 0.55 of the text's size a character.
            let chars = f64::from(label_width.saturating_sub(12)) / (f64::from(text_px) * 0.55);
            let shown = shorten(c, chars as usize);
            let _ = root.draw(&Text::new(
                shown,
                (px - 8, py),
                label_style.pos(Pos::new(HPos::Right, VPos::Center)),
            ));
        }
        if colors.is_none() {
            legend(&root, series, 8, text_px as i32 + 4, units);
        }
        let _ = root.present();
    }
    finish(buf, id, title, desc)
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max || max < 4 {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// One point of the scatter chart: given, received, how many partners sit
/// there, and the names to write beside it (every one-way partner, and the
/// busiest).
pub struct Point {
    pub given: u32,
    pub received: u32,
    pub partners: usize,
    pub label: Option<String>,
    /// A one-way partner sits here.
    pub one_way: bool,
}

/// A box in pixels: left, top, right, bottom.
type Rect = (f64, f64, f64, f64);

fn overlaps(a: Rect, b: Rect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// Whether the segment from `p` to `q` passes through the box.
fn crosses(p: (f64, f64), q: (f64, f64), r: Rect) -> bool {
    // Liang–Barsky clipping: the segment meets the box when some part of
    // it survives.
    let (dx, dy) = (q.0 - p.0, q.1 - p.1);
    let mut t0: f64 = 0.0;
    let mut t1: f64 = 1.0;
    for (pk, qk) in [
        (-dx, p.0 - r.0),
        (dx, r.2 - p.0),
        (-dy, p.1 - r.1),
        (dy, r.3 - p.1),
    ] {
        if pk == 0.0 {
            if qk < 0.0 {
                return false;
            }
        } else {
            let t = qk / pk;
            if pk < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    t0 <= t1
}

/// Where the line from the origin with slope `k` (received per given)
/// leaves the box `[0, tx] × [0, ty]`.
fn exit(k: f64, tx: f64, ty: f64) -> (f64, f64) {
    if k * tx <= ty {
        (tx, k * tx)
    } else {
        (ty / k, ty)
    }
}

/// Given versus received, one dot per partner (partners with the same
/// numbers share a bigger dot that says how many), with the balance
/// diagonal and the 3:1 bands. Each axis is fitted to its data; names are
/// placed where they cross no line, no dot and no other name.
pub fn scatter(id: &str, title: &str, desc: &str, points: &[Point]) -> String {
    init_font();
    let size = (420, 480);
    let units = text_units(size.0);
    let axes = ScatterAxes::fit(points, size.0, units);
    let text_px = units_px(units);
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, size).into_drawing_area();
        let _ = root.fill(&WHITE);
        let built = ChartBuilder::on(&root)
            .margin(12)
            .margin_right(16)
            .x_label_area_size((text_px * 3 + 6) as u32)
            .y_label_area_size((text_px * 3 + 10) as u32)
            .build_cartesian_2d(axes.x0..axes.tx, axes.y0..axes.ty);
        let Ok(mut chart) = built else {
            return String::new();
        };
        draw_scatter_mesh(&mut chart, &axes, units);
        let ends = draw_ratio_lines(&mut chart, &axes);
        let px = |x: f64, y: f64| {
            let (a, b) = chart.backend_coord(&(x, y));
            (f64::from(a), f64::from(b))
        };
        let (left, top) = px(axes.x0, axes.ty);
        let (right, bottom) = px(axes.tx, axes.y0);
        let mut labels = Labels {
            root: &root,
            width: f64::from(size.0),
            area: (left, top, right, bottom),
            lines: ends.iter().map(|e| (px(0.0, 0.0), px(e.0, e.1))).collect(),
            taken: Vec::new(),
        };
        draw_dots(&root, points, &px, units, &mut labels.taken);
        write_names(&mut labels, points, &px, units);
        write_corner_notes(&mut labels, &axes, &px, units);
        let _ = root.present();
    }
    finish(buf, id, title, desc)
}

/// The scatter chart's ranges: from `x0` to `tx` given, from `y0` to `ty`
/// received.
struct ScatterAxes {
    x0: f64,
    tx: f64,
    y0: f64,
    ty: f64,
}

impl ScatterAxes {
    fn fit(points: &[Point], width: u32, units: u32) -> ScatterAxes {
        let max_g = points.iter().map(|p| p.given).max().unwrap_or(0);
        let max_r = points.iter().map(|p| p.received).max().unwrap_or(0);
        // Each axis one past its largest count (rounded up to a multiple
        // of 5 past 10), so no dot sits on the edge.
        let fit = |m: u32| {
            let m = f64::from(m + 1).max(2.0);
            if m <= 10.0 {
                m
            } else {
                (m / 5.0).ceil() * 5.0
            }
        };
        let (tx, ty) = (fit(max_g), fit(max_r));
        let text_px = units_px(units);
        // Room left of the received axis for the names of partners who sit
        // on it (one-way: they send, you do not), so that no name crosses
        // the dashed 3:1 line that leaves the origin steeply.
        let name_font = (FONT, units).into_font();
        let left_px = points
            .iter()
            .filter(|p| p.given == 0)
            .filter_map(|p| p.label.as_deref())
            .map(|l| name_font.box_size(l).map_or(l.len() as u32 * 7, |(w, _)| w) + 26)
            .max()
            .map_or(0.0, f64::from);
        let plot_w = f64::from(width) - f64::from(text_px * 5 + 24);
        let x0 = if left_px > 0.0 {
            -(left_px * tx / (plot_w - left_px).max(plot_w / 3.0)).max(0.3)
        } else {
            -0.3
        };
        // Room under the given axis for the names of partners who sit on
        // it (one-way: you give, they do not).
        let y0 = if points.iter().any(|p| p.received == 0 && p.label.is_some()) {
            -(ty * 0.12).max(0.6)
        } else {
            -0.3
        };
        ScatterAxes { x0, tx, y0, ty }
    }
}

type ScatterChart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// The grid, the whole counts on both axes and their names.
fn draw_scatter_mesh(chart: &mut ScatterChart, axes: &ScatterAxes, units: u32) {
    let ticks = |top: f64| if top <= 8.0 { top as usize } else { 5 };
    let fmt = |v: &f64| {
        if (v - v.round()).abs() < 1e-9 && *v >= 0.0 {
            format!("{}", v.round() as i64)
        } else {
            String::new()
        }
    };
    let _ = chart
        .configure_mesh()
        .x_labels(ticks(axes.tx) + 1)
        .y_labels(ticks(axes.ty) + 1)
        .x_label_formatter(&fmt)
        .y_label_formatter(&fmt)
        .x_desc("Given (advisor → partner)")
        .y_desc("Received (partner → advisor)")
        .axis_desc_style((FONT, units).into_font().color(&MUTED))
        .label_style((FONT, units).into_font().color(&MUTED))
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .axis_style(MUTED)
        .draw();
}

/// The 3:1 band between y = x/3 and y = 3x with its dashed edges, and the
/// even diagonal, cut to the axes; the ends of the three lines.
fn draw_ratio_lines(chart: &mut ScatterChart, axes: &ScatterAxes) -> [(f64, f64); 3] {
    let (tx, ty) = (axes.tx, axes.ty);
    let low = exit(1.0 / 3.0, tx, ty);
    let high = exit(3.0, tx, ty);
    let mut band_pts = vec![(0.0, 0.0), low];
    if ty >= tx / 3.0 && ty <= 3.0 * tx {
        band_pts.push((tx, ty));
    }
    band_pts.push(high);
    let band = RGBColor(0xe8, 0xf0, 0xfb);
    let _ = chart.draw_series(std::iter::once(Polygon::new(band_pts, band.filled())));
    let dashed = MUTED.stroke_width(1);
    for end in [low, high] {
        let _ = chart.draw_series(DashedLineSeries::new(vec![(0.0, 0.0), end], 5, 4, dashed));
    }
    let diagonal = exit(1.0, tx, ty);
    let _ = chart.draw_series(LineSeries::new(
        vec![(0.0, 0.0), diagonal],
        MUTED.stroke_width(1),
    ));
    [low, high, diagonal]
}

/// A dot's radius in pixels for the partners it stands for.
fn dot_radius(partners: usize) -> f64 {
    (5.0 + (partners as f64).sqrt() * 3.0).min(16.0)
}

/// The dots, with the count of partners on those that stand for more than
/// one; each dot's box is added to `taken`, for names to keep clear of.
fn draw_dots(
    root: &DrawingArea<SVGBackend, Shift>,
    points: &[Point],
    px: &impl Fn(f64, f64) -> (f64, f64),
    units: u32,
    taken: &mut Vec<Rect>,
) {
    let count_style = (FONT, units).into_font().color(&WHITE);
    for p in points {
        let r = dot_radius(p.partners);
        let (cx, cy) = px(f64::from(p.given), f64::from(p.received));
        let color = if p.one_way { RECEIVED } else { GIVEN };
        let _ = root.draw(&Circle::new(
            (cx.round() as i32, cy.round() as i32),
            r.round() as i32,
            color.mix(0.75).filled(),
        ));
        if p.partners > 1 {
            let _ = root.draw(&Text::new(
                p.partners.to_string(),
                (cx.round() as i32, cy.round() as i32),
                count_style.pos(Pos::new(HPos::Center, VPos::Center)),
            ));
        }
        taken.push((cx - r, cy - r, cx + r, cy + r));
    }
}

/// Writes text on the scatter chart where it overlaps least: the
/// picture's edges, the plot, the boxes already taken and the lines.
struct Labels<'a, 'b> {
    root: &'a DrawingArea<SVGBackend<'b>, Shift>,
    /// The picture's width.
    width: f64,
    /// The plot, in pixels.
    area: Rect,
    /// The lines from the origin.
    lines: Vec<((f64, f64), (f64, f64))>,
    /// The dots and the text written so far.
    taken: Vec<Rect>,
}

impl Labels<'_, '_> {
    /// How badly a box of text sits: off the picture, off the plot, on a
    /// dot or a text, across a line.
    fn badness(&self, b: Rect) -> usize {
        let area = self.area;
        let mut n = 0;
        if b.0 < 2.0 || b.2 > self.width - 2.0 || b.1 < 2.0 || b.3 > area.3 {
            n += 100;
        }
        if b.0 < area.0 || b.2 > area.2 || b.1 < area.1 {
            n += 30;
        }
        n += 10 * self.taken.iter().filter(|t| overlaps(b, **t)).count();
        n += 10
            * self
                .lines
                .iter()
                .filter(|(p, q)| crosses(*p, *q, b))
                .count();
        n
    }

    /// Writes `text` beside one of `anchors`, where it overlaps least; a
    /// name is always written, an `optional` note only where it overlaps
    /// nothing.
    fn place(&mut self, text: &str, style: &TextStyle, anchors: &[(f64, f64)], optional: bool) {
        let (w, h) = self
            .root
            .estimate_text_size(text, style)
            .map_or((text.chars().count() as f64 * 7.0, 14.0), |(w, h)| {
                (f64::from(w), f64::from(h))
            });
        let boxes: Vec<Rect> = anchors
            .iter()
            .flat_map(|&(x, y)| {
                [
                    (x, y - h),
                    (x - w, y - h),
                    (x, y),
                    (x - w, y),
                    (x - w / 2.0, y - h),
                    (x - w / 2.0, y),
                ]
            })
            .map(|(x, y)| (x - 1.0, y - 1.0, x + w + 1.0, y + h + 1.0))
            .collect();
        let best = boxes
            .iter()
            .copied()
            .enumerate()
            .min_by_key(|(i, b)| (self.badness(*b), *i))
            .map(|(_, b)| b)
            .filter(|b| !optional || self.badness(*b) < 10);
        if let Some(b) = best {
            self.taken.push(b);
            let _ = self.root.draw(&Text::new(
                text.to_string(),
                ((b.0 + 1.0).round() as i32, (b.1 + 1.0).round() as i32),
                style.pos(Pos::new(HPos::Left, VPos::Top)),
            ));
        }
    }
}

/// The names, one-way partners first, then the busiest, each nearest its
/// dot.
fn write_names(
    labels: &mut Labels,
    points: &[Point],
    px: &impl Fn(f64, f64) -> (f64, f64),
    units: u32,
) {
    let name_style = (FONT, units).into_font().color(&INK);
    let mut labelled: Vec<&Point> = points.iter().filter(|p| p.label.is_some()).collect();
    labelled.sort_by_key(|p| {
        (
            std::cmp::Reverse(p.one_way),
            std::cmp::Reverse(p.given + p.received),
        )
    });
    for p in labelled {
        let r = dot_radius(p.partners) + 3.0;
        let (cx, cy) = px(f64::from(p.given), f64::from(p.received));
        let mut anchors = Vec::new();
        for step in [1.0, 2.2, 3.6] {
            let d = r * step;
            anchors.extend([
                (cx + d, cy - d / 2.0),
                (cx - d, cy - d / 2.0),
                (cx + d, cy + d / 2.0),
                (cx - d, cy + d / 2.0),
                (cx, cy - d),
                (cx, cy + d),
            ]);
        }
        if let Some(label) = &p.label {
            labels.place(label, &name_style, &anchors, false);
        }
    }
}

/// The corner notes (received-heavy, given-heavy, balanced), after the
/// names, wherever they fit.
fn write_corner_notes(
    labels: &mut Labels,
    axes: &ScatterAxes,
    px: &impl Fn(f64, f64) -> (f64, f64),
    units: u32,
) {
    let corner = (FONT, units).into_font().color(&MUTED);
    let notes = [
        ("Received-heavy", (0.05, 0.95)),
        ("Given-heavy", (0.95, 0.08)),
        ("Balanced", (0.7, 0.72)),
    ];
    for (text, (fx, fy)) in notes {
        let (x, y) = px(axes.tx * fx, axes.ty * fy);
        let anchors = [
            (x, y),
            (x, y - 18.0),
            (x, y + 18.0),
            (x - 30.0, y),
            (x + 30.0, y),
        ];
        labels.place(text, &corner, &anchors, true);
    }
}
