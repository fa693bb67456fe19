#!/usr/bin/env python3
"""Interactive use of the shell on a real terminal (a pseudo-terminal):
line editing keys, history across lines and across sessions, Ctrl-C and
Ctrl-D.  Each check types keys into `shale` and looks at what the query
printed.  Usage: terminal_test.py SHELL; prints one line per check and
"terminal tests: N passed, M failed" last."""
import os
import pty
import select
import sys
import tempfile
import time

SHELL = os.path.abspath(sys.argv[1])
HOME = tempfile.mkdtemp(prefix="shale-term-")

UP, DOWN, LEFT, RIGHT = "\x1b[A", "\x1b[B", "\x1b[D", "\x1b[C"
HOME_KEY, END_KEY, DEL = "\x1b[H", "\x1b[F", "\x1b[3~"
PROMPT = "shale> "
CTRL = {c: chr(ord(c) - 96) for c in "abcdefkuw"}


class Session:
    """A shale process on a pseudo-terminal."""

    def __init__(self):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.environ["HOME"] = HOME
            os.environ["TERM"] = "xterm"
            os.execv(SHELL, [SHELL])
        self.out = ""
        self.read_until(PROMPT)

    def read_until(self, text, timeout=5.0, start=0):
        end = time.time() + timeout
        while text not in self.out[start:] and time.time() < end:
            r, _, _ = select.select([self.fd], [], [], 0.05)
            if r:
                try:
                    data = os.read(self.fd, 4096)
                except OSError:
                    break
                if not data:
                    break
                self.out += data.decode("utf-8", "replace")
        return text in self.out[start:]

    def line(self, keys):
        """Types keys then Enter; returns what the shell printed up to the
        next prompt (the echo of the line and its result)."""
        self.out = ""
        for k in [keys[i:i + 1] for i in range(len(keys))] if "\x1b" not in keys else split_keys(keys):
            os.write(self.fd, k.encode())
            time.sleep(0.005)
        self.read_until("\0", timeout=0.1)  # let the redraws arrive
        mark = len(self.out)
        os.write(self.fd, b"\r")
        self.read_until("\n" + PROMPT, start=mark)
        return self.out

    def finish(self, keys="\x04"):
        os.write(self.fd, keys.encode())
        self.read_until("\0", timeout=2.0)
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1


def split_keys(keys):
    """Splits typed text into keystrokes, keeping escape sequences whole."""
    out, i = [], 0
    while i < len(keys):
        if keys[i] == "\x1b":
            j = i + 2
            while j < len(keys) and not (keys[j].isalpha() or keys[j] == "~"):
                j += 1
            out.append(keys[i:j + 1])
            i = j + 1
        else:
            out.append(keys[i])
            i += 1
    return out


def result_lines(text):
    """The result rows of a query: the lines after the echoed input line,
    without terminal control sequences."""
    lines = text.replace("\r", "").split("\n")[1:]
    return [l for l in lines if l and not l.startswith(PROMPT)]


checks = []


def check(name, ok, detail=""):
    checks.append(ok)
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + repr(detail)))


s = Session()
check("a query typed at the prompt", result_lines(s.line("SELECT 1+1;")) == ["2"], s.out)
# Up recalls the previous line; Backspace + typing edits its end.
out = s.line(UP + "\x7f\x7f" + "2;")
check("Up recalls the last line, Backspace edits it", result_lines(out) == ["3"], out)
# Left arrows move into the line; characters insert at the cursor.
out = s.line("SELECT 'ac';" + LEFT * 3 + "b")
check("Left arrow + insert in the middle", result_lines(out) == ["abc"], out)
# Ctrl-A / Home go to the start, Ctrl-E / End to the end.
out = s.line("'x';" + CTRL["a"] + "SELECT " + CTRL["e"])
check("Ctrl-A then typing at the start", result_lines(out) == ["x"], out)
out = s.line("'y'" + HOME_KEY + "SELECT " + END_KEY + ";")
check("Home/End keys", result_lines(out) == ["y"], out)
# Ctrl-K kills to the end, Ctrl-U to the start, Ctrl-W the previous word.
out = s.line("SELECT 5; junk" + LEFT * 5 + CTRL["k"])
check("Ctrl-K kills to the end of the line", result_lines(out) == ["5"], out)
out = s.line("garbage" + CTRL["u"] + "SELECT 6;")
check("Ctrl-U kills to the start of the line", result_lines(out) == ["6"], out)
out = s.line("SELECT 7 oops" + CTRL["w"] + ";")
check("Ctrl-W deletes the previous word", result_lines(out) == ["7"], out)
# Delete removes the character under the cursor.
out = s.line("SELECT 89;" + LEFT * 3 + DEL)
check("Delete key", result_lines(out) == ["9"], out)
# Up twice then Down goes back one step in the history.
out = s.line(UP + UP + DOWN)
check("Up, Up, Down walks the history", result_lines(out) == ["9"], out)
# Ctrl-C abandons the line being typed.
s.out = ""
os.write(s.fd, b"SELECT 'lost'")
os.write(s.fd, b"\x03")
s.read_until("\n" + PROMPT)
out = s.line("SELECT 'kept';")
check("Ctrl-C abandons the current line", result_lines(out) == ["kept"] and "lost" not in "".join(result_lines(out)), out)
# A statement continued on a second line.
s.out = ""
os.write(s.fd, b"SELECT 10\r")
s.read_until("\n   ...> ")
out = s.line("+ 1;")
check("a statement continued on a second line", "11" in out.replace("\r", "").split("\n"), out)
out = s.line("SELECT 'last';")
rc = s.finish()
check("Ctrl-D on an empty line exits with 0", rc == 0, rc)

hist = open(os.path.join(HOME, ".shale_history")).read().split("\n")
check("history saved to ~/.shale_history", "SELECT 'kept';" in hist, hist[-5:])
s = Session()
out = s.line(UP)
check("history recalled in a new session", result_lines(out) == ["last"], out)
s.finish()

passed = sum(checks)
print(f"terminal tests: {passed} passed, {len(checks) - passed} failed")
sys.exit(0 if passed == len(checks) else 1)
