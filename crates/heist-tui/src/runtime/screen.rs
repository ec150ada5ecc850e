//! A drawn screen as text, for tests: its characters line by line, and its styles as a digest (a 64-bit FNV-1a
//! hash, computed here so it never changes with the Rust version, over every cell's foreground, background and
//! modifiers), followed by the styled runs of the rows holding a selection highlight. A snapshot of both catches a
//! change of colour, focus or highlight as well as of text.

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

/// The screen's characters, one line per row, trailing spaces trimmed.
pub fn text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        for x in 0..buf.area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// `styles: <digest>`, then `selected row N: <runs>` for each row below the status bar holding a reversed cell
/// (a table's selected row, the selected suggestion, the note's cursor).
pub fn styles(buf: &Buffer) -> String {
    let mut out = format!("styles: {:016x}\n", digest(buf));
    for y in 1..buf.area.height {
        let reversed =
            (0..buf.area.width).any(|x| buf[(x, y)].modifier.contains(Modifier::REVERSED));
        if reversed {
            out.push_str(&format!("selected row {y}: {}\n", runs(buf, y).join(" · ")));
        }
    }
    out
}

/// The 64-bit FNV-1a hash of every cell's style, row by row.
pub fn digest(buf: &Buffer) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(PRIME);
        }
    };
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let c = &buf[(x, y)];
            eat(color_name(c.fg).as_bytes());
            eat(&[0]);
            eat(color_name(c.bg).as_bytes());
            eat(&[0]);
            eat(&c.modifier.bits().to_le_bytes());
        }
        eat(b"\n");
    }
    h
}

/// The runs of equally styled cells of row `y` that have a style, as `first-last style`.
fn runs(buf: &Buffer, y: u16) -> Vec<String> {
    let style = |x: u16| {
        let c = &buf[(x, y)];
        (c.fg, c.bg, c.modifier)
    };
    let mut out = Vec::new();
    let mut x = 0;
    while x < buf.area.width {
        let s = style(x);
        let start = x;
        while x < buf.area.width && style(x) == s {
            x += 1;
        }
        let (fg, bg, modifier) = s;
        let mut words = Vec::new();
        if fg != Color::Reset {
            words.push(color_name(fg));
        }
        if bg != Color::Reset {
            words.push(format!("on {}", color_name(bg)));
        }
        words.extend(modifier_names(modifier).into_iter().map(String::from));
        if !words.is_empty() {
            out.push(format!("{start}-{} {}", x - 1, words.join(" ")));
        }
    }
    out
}

fn color_name(c: Color) -> String {
    let name = match c {
        Color::Reset => "reset",
        Color::Black => "black",
        Color::Red => "red",
        Color::Green => "green",
        Color::Yellow => "yellow",
        Color::Blue => "blue",
        Color::Magenta => "magenta",
        Color::Cyan => "cyan",
        Color::Gray => "gray",
        Color::DarkGray => "darkgray",
        Color::LightRed => "lightred",
        Color::LightGreen => "lightgreen",
        Color::LightYellow => "lightyellow",
        Color::LightBlue => "lightblue",
        Color::LightMagenta => "lightmagenta",
        Color::LightCyan => "lightcyan",
        Color::White => "white",
        Color::Rgb(r, g, b) => return format!("#{r:02x}{g:02x}{b:02x}"),
        Color::Indexed(i) => return format!("color{i}"),
    };
    name.to_string()
}

fn modifier_names(m: Modifier) -> Vec<&'static str> {
    [
        (Modifier::BOLD, "bold"),
        (Modifier::DIM, "dim"),
        (Modifier::ITALIC, "italic"),
        (Modifier::UNDERLINED, "underlined"),
        (Modifier::SLOW_BLINK, "slow-blink"),
        (Modifier::RAPID_BLINK, "rapid-blink"),
        (Modifier::REVERSED, "reversed"),
        (Modifier::HIDDEN, "hidden"),
        (Modifier::CROSSED_OUT, "crossed-out"),
    ]
    .into_iter()
    .filter(|(f, _)| m.contains(*f))
    .map(|(_, name)| name)
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    fn screen() -> Buffer {
        let mut b = Buffer::empty(Rect::new(0, 0, 6, 2));
        b.set_string(
            0,
            0,
            "status",
            Style::default().add_modifier(Modifier::REVERSED),
        );
        b.set_string(0, 1, "ab", Style::default());
        b
    }

    #[test]
    fn the_digest_is_stable_and_sees_only_styles() {
        let plain = Buffer::empty(Rect::new(0, 0, 2, 1));
        // Computed by hand: FNV-1a over "reset\0reset\0" and two zero bytes, twice, then a newline.
        assert_eq!(
            digest(&plain),
            0x8b64_2a0e_945b_48bd,
            "{:016x}",
            digest(&plain)
        );
        let mut text = plain.clone();
        text.set_string(0, 0, "xy", Style::default());
        assert_eq!(digest(&text), digest(&plain), "text is not style");
        assert_eq!(digest(&screen()), digest(&screen()));
    }

    #[test]
    fn a_colour_or_a_modifier_changes_the_digest() {
        let base = screen();
        let mut red = base.clone();
        red.set_style(Rect::new(1, 1, 1, 1), Style::default().fg(Color::Red));
        let mut bold = base.clone();
        bold.set_style(
            Rect::new(1, 1, 1, 1),
            Style::default().add_modifier(Modifier::BOLD),
        );
        let mut on_blue = base.clone();
        on_blue.set_style(Rect::new(1, 1, 1, 1), Style::default().bg(Color::Blue));
        let all = [&base, &red, &bold, &on_blue].map(digest);
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    #[test]
    fn selected_rows_spell_out_their_runs() {
        let mut b = screen();
        b.set_style(
            Rect::new(0, 1, 4, 1),
            Style::default().add_modifier(Modifier::REVERSED),
        );
        b.set_style(Rect::new(2, 1, 2, 1), Style::default().fg(Color::Red));
        let s = styles(&b);
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines.len(), 2, "{s}");
        assert!(
            lines[0].starts_with("styles: ") && lines[0].len() == 24,
            "{s}"
        );
        assert_eq!(lines[1], "selected row 1: 0-1 reversed · 2-3 red reversed");
        assert_eq!(text(&b), "status\nab\n");
    }
}
