//! The theme: every style the widgets use, with colours or (under `NO_COLOR`) without; every distinction also has
//! a modifier so nothing depends on colour alone.

use ratatui::style::{Color, Modifier, Style};

use heist_core::detect::Severity;

/// Colours, or none under `NO_COLOR`: every distinction also has a modifier so nothing depends on colour alone.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn from_env() -> Self {
        Self {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }
    pub fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::default().fg(c)
        } else {
            Style::default()
        }
    }
    pub fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }
    pub fn failure(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn header(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }
    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
        } else {
            self.fg(Color::DarkGray)
        }
    }
    pub fn accent(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }
    /// Waiting notes: readable without colour, quiet with it.
    pub fn dim(&self) -> Style {
        self.fg(Color::DarkGray)
    }
}

/// A severity's style: colour by level, and bold from high up so the order reads without colour too.
pub fn severity_style(sev: Option<Severity>, theme: Theme) -> Style {
    match sev {
        Some(Severity::Critical) => theme.fg(Color::Magenta).add_modifier(Modifier::BOLD),
        Some(Severity::High) => theme.fg(Color::Red).add_modifier(Modifier::BOLD),
        Some(Severity::Medium) => theme.fg(Color::Yellow),
        Some(Severity::Low) => theme.fg(Color::Cyan),
        Some(Severity::Info) | None => Style::default(),
    }
}
