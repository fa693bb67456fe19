/*
** shell_lineedit.c — line editing and history for the interactive shell:
** left/right, Home/End (and Ctrl-A/E), Backspace/Delete, Ctrl-K/U/W, Up/Down
** through the history, Ctrl-D on an empty line for end of input, Ctrl-C to
** abandon the line.  History persists in ~/.shale_history.  Used only when
** stdin and stdout are terminals; scripts read plain lines.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include "shell.h"

#define HISTORY_MAX 1000

typedef struct History {
  char *lines[HISTORY_MAX];
  int n;
} History;

static History history;          /* the one interactive session's history */
static char history_path[4096];

static void history_add(const char *line) {
  if (!line[0]) return;
  if (history.n && strcmp(history.lines[history.n - 1], line) == 0) return;
  if (history.n == HISTORY_MAX) {
    free(history.lines[0]);
    memmove(history.lines, history.lines + 1, sizeof(char *) * (HISTORY_MAX - 1));
    history.n--;
  }
  history.lines[history.n++] = strdup(line);
}

void shell_history_load(void) {
  const char *home = getenv("HOME");
  if (!home) return;
  snprintf(history_path, sizeof history_path, "%s/.shale_history", home);
  FILE *f = fopen(history_path, "r");
  if (!f) return;
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, f)) > 0) {
    if (line[n - 1] == '\n') line[n - 1] = 0;
    history_add(line);
  }
  free(line);
  fclose(f);
}

void shell_history_save(void) {
  if (!history_path[0]) return;
  FILE *f = fopen(history_path, "w");
  if (f) {
    for (int i = 0; i < history.n; i++) fprintf(f, "%s\n", history.lines[i]);
    fclose(f);
  }
  for (int i = 0; i < history.n; i++) free(history.lines[i]);
  history.n = 0;
}

typedef struct Line {
  char *buf;
  size_t len, cap, pos;
} Line;

static void line_set(Line *l, const char *z) {
  size_t n = strlen(z);
  if (n + 1 > l->cap) {
    l->cap = n + 64;
    l->buf = realloc(l->buf, l->cap);
    if (!l->buf) abort();
  }
  memcpy(l->buf, z, n + 1);
  l->len = l->pos = n;
}

static void line_insert(Line *l, char c) {
  if (l->len + 2 > l->cap) {
    l->cap = l->cap * 2 + 64;
    l->buf = realloc(l->buf, l->cap);
    if (!l->buf) abort();
  }
  memmove(l->buf + l->pos + 1, l->buf + l->pos, l->len - l->pos + 1);
  l->buf[l->pos++] = c;
  l->len++;
}

static void line_delete(Line *l, size_t at, size_t n) {
  if (at >= l->len) return;
  if (at + n > l->len) n = l->len - at;
  memmove(l->buf + at, l->buf + at + n, l->len - at - n + 1);
  l->len -= n;
  if (l->pos > at + n) l->pos -= n;
  else if (l->pos > at) l->pos = at;
}

static void refresh(const char *prompt, const Line *l) {
  /* Redraw the whole line, then put the cursor back. */
  printf("\r%s%s\x1b[K", prompt, l->buf);
  size_t back = l->len - l->pos;
  if (back) printf("\x1b[%zuD", back);
  fflush(stdout);
}

/* Read a line with editing. Returns a malloc'd string, or NULL at end of
** input (Ctrl-D on an empty line). */
char *shell_edit_line(const char *prompt) {
  struct termios saved, raw;
  if (tcgetattr(0, &saved) != 0) return NULL;
  raw = saved;
  raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG | IEXTEN);
  raw.c_iflag &= ~(tcflag_t)(IXON | ICRNL);
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;
  tcsetattr(0, TCSAFLUSH, &raw);
  Line l = {0};
  line_set(&l, "");
  int hist = history.n; /* history.n = the line being edited */
  char *editing = strdup("");
  char *result = NULL;
  int done = 0;
  printf("%s", prompt);
  fflush(stdout);
  while (!done) {
    unsigned char c;
    if (read(0, &c, 1) != 1) break;
    switch (c) {
      case '\r':
      case '\n':
        result = strdup(l.buf);
        done = 1;
        break;
      case 4: /* Ctrl-D */
        if (l.len == 0) done = 1;
        else line_delete(&l, l.pos, 1);
        break;
      case 3: /* Ctrl-C: abandon the line */
        printf("^C\r\n");
        line_set(&l, "");
        printf("%s", prompt);
        break;
      case 127:
      case 8: /* Backspace */
        if (l.pos > 0) line_delete(&l, l.pos - 1, 1);
        break;
      case 1: l.pos = 0; break;     /* Ctrl-A */
      case 5: l.pos = l.len; break; /* Ctrl-E */
      case 2: if (l.pos) l.pos--; break;        /* Ctrl-B */
      case 6: if (l.pos < l.len) l.pos++; break; /* Ctrl-F */
      case 11: line_delete(&l, l.pos, l.len - l.pos); break; /* Ctrl-K */
      case 21: line_delete(&l, 0, l.pos); break;             /* Ctrl-U */
      case 23: {                                             /* Ctrl-W */
        size_t p = l.pos;
        while (p > 0 && l.buf[p - 1] == ' ') p--;
        while (p > 0 && l.buf[p - 1] != ' ') p--;
        line_delete(&l, p, l.pos - p);
        break;
      }
      case 27: { /* escape sequences: arrows, Home/End, Delete */
        unsigned char seq[3];
        if (read(0, seq, 1) != 1 || read(0, seq + 1, 1) != 1) break;
        if (seq[0] != '[' && seq[0] != 'O') break;
        if (seq[1] >= '0' && seq[1] <= '9') {
          if (read(0, seq + 2, 1) != 1) break;
          if (seq[2] == '~' && seq[1] == '3') line_delete(&l, l.pos, 1);
          else if (seq[2] == '~' && (seq[1] == '1' || seq[1] == '7')) l.pos = 0;
          else if (seq[2] == '~' && (seq[1] == '4' || seq[1] == '8')) l.pos = l.len;
          break;
        }
        if (seq[1] == 'C' && l.pos < l.len) l.pos++;
        else if (seq[1] == 'D' && l.pos > 0) l.pos--;
        else if (seq[1] == 'H') l.pos = 0;
        else if (seq[1] == 'F') l.pos = l.len;
        else if (seq[1] == 'A' || seq[1] == 'B') {
          int to = hist + (seq[1] == 'A' ? -1 : 1);
          if (to < 0 || to > history.n) break;
          if (hist == history.n) {
            free(editing);
            editing = strdup(l.buf);
          }
          hist = to;
          line_set(&l, hist == history.n ? editing : history.lines[hist]);
        }
        break;
      }
      default:
        if (c >= 32) line_insert(&l, (char)c);
        break;
    }
    if (!done) refresh(prompt, &l);
  }
  printf("\r\n");
  fflush(stdout);
  tcsetattr(0, TCSAFLUSH, &saved);
  if (result) history_add(result);
  free(editing);
  free(l.buf);
  return result;
}
