//! The real binary in a real terminal (tmux): open the sample, go from the alert's key to the attacker IP, the
//! session key it minted and the stolen model files, come back, quit, and find the shell's screen restored.
//! Skipped with a notice when tmux is not installed.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    name: String,
}

impl Tmux {
    fn start(width: u16, height: u16) -> Option<Tmux> {
        if Command::new("tmux").arg("-V").output().is_err() {
            eprintln!("NOTICE: tmux is not installed: tmux test skipped");
            return None;
        }
        let name = format!("heist-e2e-{}", std::process::id());
        let ok = Command::new("tmux")
            .args([
                "new-session",
                "-d",
                "-s",
                &name,
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
            ])
            .args([
                "env",
                "-i",
                "PATH=/usr/bin:/bin",
                "TERM=xterm-256color",
                "HOME=/tmp",
                "bash",
                "--norc",
                "--noprofile",
            ])
            .status()
            .expect("tmux")
            .success();
        assert!(ok, "tmux new-session failed");
        Some(Tmux { name })
    }

    fn send(&self, keys: &[&str]) {
        let ok = Command::new("tmux")
            .args(["send-keys", "-t", &self.name])
            .args(keys)
            .status()
            .expect("tmux send-keys")
            .success();
        assert!(ok);
    }

    fn screen(&self) -> String {
        let o = Command::new("tmux")
            .args(["capture-pane", "-p", "-t", &self.name])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    /// Wait until the screen shows `text` (the app works in the background); fail with the screen if it never does.
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "never saw {text:?}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.name])
            .status();
    }
}

#[test]
fn stolen_key_to_model_files_and_back_in_a_real_terminal() {
    let Some(t) = Tmux::start(140, 40) else {
        return;
    };
    let bin = env!("CARGO_BIN_EXE_heist");
    let sample = common::sample();
    t.send(&[
        &format!("'{bin}' '{}'; echo EXIT=$?", sample.display()),
        "Enter",
    ]);
    t.wait_for("Tokens");
    // Help is where a newcomer starts.
    t.send(&["?"]);
    t.wait_for("fuzzy-find");
    t.send(&["Escape"]);
    // The alert's key, by fuzzy find.
    t.send(&["/"]);
    t.wait_for("find · enter pivots");
    t.send(&["-l", "STOLEN7"]);
    t.wait_for("> STOLEN7");
    t.send(&["Enter"]);
    t.wait_for("› token AKIAQ3EGRZTSTOLEN7CI");
    // Its IPs tab shows the attacker's address; pivot there.
    t.send(&["4"]);
    t.wait_for("198.51.100.77");
    t.send(&["/"]);
    t.send(&["-l", "198.51.100.77"]);
    t.wait_for("> 198.51.100.77");
    t.send(&["Enter"]);
    t.wait_for("› ip 198.51.100.77");
    // The session key minted with the stolen key, used from that IP.
    t.send(&["/"]);
    t.send(&["-l", "EXFIL2"]);
    t.wait_for("> EXFIL2");
    t.send(&["Enter"]);
    t.wait_for("› token ASIAQ3EGRZTEXFIL2MDL");
    t.send(&["3"]);
    let s = t.wait_for("safetensors");
    assert!(s.contains("00004-of-00004.safetensors"), "{s}");
    // Back along the trail to the start.
    t.send(&["BSpace"]);
    t.wait_for("› ip 198.51.100.77  ");
    t.send(&["BSpace", "BSpace"]);
    let s = t.wait_for(" heist all events  │");
    assert!(!s.contains("› token"), "{s}");
    // Quit: the shell's screen comes back and heist exited cleanly.
    t.send(&["q"]);
    let s = t.wait_for("EXIT=0");
    assert!(
        !s.contains("┌ Entities"),
        "the alternate screen was not left:\n{s}"
    );
}
