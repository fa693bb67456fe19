/*
** shell_output.c — running SQL and printing results in each output mode.
** Row modes print as rows arrive; the columnar modes (column, table, box,
** markdown) read every row first to size the columns.
*/
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include "shell.h"

const char *const shell_mode_names[MODE_COUNT] = {
    "line", "column", "list", "semi", "html", "insert", "quote", "tcl", "csv",
    "explain", "ascii", "prettyprint", "eqp", "json", "markdown", "table", "box"};

#define BOX_H "\342\224\200"    /* ─ */
#define BOX_V "\342\224\202"    /* │ */
#define BOX_DR "\342\224\214"   /* ┌ */
#define BOX_DL "\342\224\220"   /* ┐ */
#define BOX_UR "\342\224\224"   /* └ */
#define BOX_UL "\342\224\230"   /* ┘ */
#define BOX_VR "\342\224\234"   /* ├ */
#define BOX_VL "\342\224\244"   /* ┤ */
#define BOX_HD "\342\224\254"   /* ┬ */
#define BOX_HU "\342\224\264"   /* ┴ */
#define BOX_VH "\342\224\274"   /* ┼ */

/* ---------------------------------------------------------------- text -- */

/* Number of UTF-8 characters. */
static int char_len(const char *z) {
  int n = 0;
  for (; *z; z++)
    if ((*z & 0xc0) != 0x80) n++;
  return n;
}

/* Print z in a field of |w| characters (right-aligned if w < 0), cutting
** text longer than the field. */
static void print_width(FILE *out, int w, const char *z) {
  int aw = w < 0 ? -w : w, i, n = 0;
  if (z == NULL) z = "";
  for (i = 0; z[i]; i++) {
    if ((z[i] & 0xc0) != 0x80) {
      n++;
      if (n == aw) {
        do i++;
        while ((z[i] & 0xc0) == 0x80);
        break;
      }
    }
  }
  if (n >= aw) fprintf(out, "%.*s", i, z);
  else if (w < 0) fprintf(out, "%*s%s", aw - n, "", z);
  else fprintf(out, "%s%*s", z, aw - n, "");
}

static void print_repeat(FILE *out, const char *s, int n) {
  for (int i = 0; i < n; i++) fputs(s, out);
}

/* One display line of z: tabs expanded to 8-column stops, cut at a control
** character or at max_width characters; *tail gets the rest (NULL if none),
** the line-breaking control character (or CR LF) consumed. */
static char *display_line(const unsigned char *z, const unsigned char **tail, int max_width) {
  if (max_width <= 0) max_width = 1000000;
  int i = 0, n = 0, j = 0;
  while (n < max_width) {
    if (z[i] >= ' ') {
      n++;
      do i++, j++;
      while ((z[i] & 0xc0) == 0x80);
      continue;
    }
    if (z[i] == '\t') {
      do n++, j++;
      while ((n & 7) != 0 && n < max_width);
      i++;
      continue;
    }
    break;
  }
  char *out = malloc((size_t)j + 1);
  if (!out) abort();
  int k = 0, col = 0;
  for (int x = 0; x < i; x++) {
    if (z[x] == '\t') {
      do out[k++] = ' ', col++;
      while ((col & 7) != 0 && col < max_width);
    } else {
      if ((z[x] & 0xc0) != 0x80) col++;
      out[k++] = (char)z[x];
    }
  }
  out[k] = 0;
  if (z[i] == 0) {
    *tail = NULL;
  } else if (z[i] < ' ' && z[i] != '\t') {
    i += (z[i] == '\r' && z[i + 1] == '\n') ? 2 : 1;
    *tail = z[i] ? z + i : NULL;
  } else {
    *tail = z + i;
  }
  return out;
}

void output_quoted_string(FILE *out, const char *z) {
  if (strchr(z, '\'') == NULL) {
    fprintf(out, "'%s'", z);
    return;
  }
  fputc('\'', out);
  for (; *z; z++) {
    if (*z == '\'') fputc('\'', out);
    fputc(*z, out);
  }
  fputc('\'', out);
}

/* A marker for newline/CR that does not occur in z. */
static const char *unused_marker(const char *z, const char *a, const char *b, char *buf) {
  if (strstr(z, a) == NULL) return a;
  if (strstr(z, b) == NULL) return b;
  for (unsigned i = 1;; i++) {
    snprintf(buf, 20, "(%s%u)", a, i);
    if (strstr(z, buf) == NULL) return buf;
  }
}

/* Like output_quoted_string, but newlines and CRs become replace() calls so
** the literal survives line-oriented tools (insert mode, .dump). */
static void output_quoted_escaped_string(FILE *out, const char *z) {
  if (strpbrk(z, "'\n\r") == NULL) {
    fprintf(out, "'%s'", z);
    return;
  }
  int has_nl = strchr(z, '\n') != NULL, has_cr = strchr(z, '\r') != NULL;
  char b1[24], b2[24];
  const char *nl = NULL, *cr = NULL;
  if (has_nl) {
    fputs("replace(", out);
    nl = unused_marker(z, "\\n", "\\012", b1);
  }
  if (has_cr) {
    fputs("replace(", out);
    cr = unused_marker(z, "\\r", "\\015", b2);
  }
  fputc('\'', out);
  for (; *z; z++) {
    if (*z == '\'') fputs("''", out);
    else if (*z == '\n') fputs(nl, out);
    else if (*z == '\r') fputs(cr, out);
    else fputc(*z, out);
  }
  fputc('\'', out);
  if (has_cr) fprintf(out, ",'%s',char(13))", cr);
  if (has_nl) fprintf(out, ",'%s',char(10))", nl);
}

static void output_hex_blob(FILE *out, const unsigned char *p, int n) {
  fputs("X'", out);
  for (int i = 0; i < n; i++) fprintf(out, "%02x", p[i]);
  fputc('\'', out);
}

static void output_json_string(FILE *out, const char *z, int n) {
  if (n < 0) n = (int)strlen(z);
  fputc('"', out);
  for (int i = 0; i < n; i++) {
    unsigned char c = (unsigned char)z[i];
    if (c == '\\' || c == '"') fputc('\\', out), fputc(c, out);
    else if (c <= 0x1f) {
      fputc('\\', out);
      if (c == '\b') fputc('b', out);
      else if (c == '\f') fputc('f', out);
      else if (c == '\n') fputc('n', out);
      else if (c == '\r') fputc('r', out);
      else if (c == '\t') fputc('t', out);
      else fprintf(out, "u%04x", c);
    } else fputc(c, out);
  }
  fputc('"', out);
}

static void output_c_string(FILE *out, const char *z) {
  fputc('"', out);
  for (const unsigned char *p = (const unsigned char *)z; *p; p++) {
    unsigned c = *p;
    if (c == '\\' || c == '"') fputc('\\', out), fputc((int)c, out);
    else if (c == '\t') fputs("\\t", out);
    else if (c == '\n') fputs("\\n", out);
    else if (c == '\r') fputs("\\r", out);
    else if (c < ' ' || c >= 0x7f) fprintf(out, "\\%03o", c);
    else fputc((int)c, out);
  }
  fputc('"', out);
}

static void output_html_string(FILE *out, const char *z) {
  for (; *z; z++) {
    switch (*z) {
      case '<': fputs("&lt;", out); break;
      case '&': fputs("&amp;", out); break;
      case '>': fputs("&gt;", out); break;
      case '"': fputs("&quot;", out); break;
      case '\'': fputs("&#39;", out); break;
      default: fputc(*z, out);
    }
  }
}

/* CSV fields are quoted when they hold a space, a quote, a control or
** non-ASCII byte, the separator, or are empty. */
static int csv_needs_quote(unsigned char c) {
  return c < 0x21 || c == '"' || c == '\'' || c >= 0x7f;
}

static void output_csv(Shell *p, const char *z, int sep) {
  if (z == NULL) {
    fputs(p->null_value, p->out);
  } else {
    int quote = z[0] == 0;
    for (const unsigned char *q = (const unsigned char *)z; *q && !quote; q++)
      if (csv_needs_quote(*q)) quote = 1;
    if (quote || strstr(z, p->col_sep)) {
      fputc('"', p->out);
      for (; *z; z++) {
        if (*z == '"') fputc('"', p->out);
        fputc(*z, p->out);
      }
      fputc('"', p->out);
    } else {
      fputs(z, p->out);
    }
  }
  if (sep) fputs(p->col_sep, p->out);
}

/* 1 if an identifier must be quoted in generated SQL. */
int shell_needs_quote(const char *z) {
  if (!((z[0] >= 'a' && z[0] <= 'z') || (z[0] >= 'A' && z[0] <= 'Z') || z[0] == '_')) return 1;
  for (const char *q = z; *q; q++)
    if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_'))
      return 1;
  return sqlite3_keyword_check(z, (int)strlen(z)) != 0;
}

/* Does z look like a number (for values of unknown type)? */
static int looks_numeric(const char *z) {
  if (*z == '-' || *z == '+') z++;
  if (!(*z >= '0' && *z <= '9')) return 0;
  while (*z >= '0' && *z <= '9') z++;
  if (*z == '.') {
    z++;
    if (!(*z >= '0' && *z <= '9')) return 0;
    while (*z >= '0' && *z <= '9') z++;
  }
  if (*z == 'e' || *z == 'E') {
    z++;
    if (*z == '-' || *z == '+') z++;
    if (!(*z >= '0' && *z <= '9')) return 0;
    while (*z >= '0' && *z <= '9') z++;
  }
  return *z == 0;
}

/* REAL as SQL text.  Insert mode (and so .dump) writes integral values as
** "N.0" and the rest with "%!.20g", like the sqlite3 3.40 shell. */
static void output_real_literal(FILE *out, double r, int inf_as_literal, int integral_as_int) {
  char z[50];
  if (integral_as_int && r >= -9223372036854775808.0 && r < 9223372036854775808.0 &&
      r == (double)(long long)r) {
    fprintf(out, "%lld.0", (long long)r);
    return;
  }
  if (inf_as_literal && r > 1.7976931348623157e308) {
    fputs("1e999", out);
    return;
  }
  if (inf_as_literal && r < -1.7976931348623157e308) {
    fputs("-1e999", out);
    return;
  }
  sqlite3_snprintf(50, z, "%!.20g", r);
  fputs(z, out);
}

/* ------------------------------------------------------------ row modes -- */

static void output_row(Shell *p, int n, char **vals, char **names, const int *types) {
  FILE *out = p->out;
  int i;
  switch (p->mode) {
    case MODE_LINE: {
      int w = 5;
      for (i = 0; i < n; i++) {
        int len = (int)strlen(names[i]);
        if (len > w) w = len;
      }
      if (p->row_count++ > 0) fputs(p->row_sep, out);
      for (i = 0; i < n; i++)
        fprintf(out, "%*s = %s%s", w, names[i], vals[i] ? vals[i] : p->null_value, p->row_sep);
      break;
    }
    case MODE_SEMI:
      fprintf(out, "%s;\n", vals[0] ? vals[0] : p->null_value);
      break;
    case MODE_HTML:
      if (p->row_count++ == 0 && p->show_header) {
        fputs("<TR>", out);
        for (i = 0; i < n; i++) {
          fputs("<TH>", out);
          output_html_string(out, names[i]);
          fputs("</TH>\n", out);
        }
        fputs("</TR>\n", out);
      }
      fputs("<TR>", out);
      for (i = 0; i < n; i++) {
        fputs("<TD>", out);
        output_html_string(out, vals[i] ? vals[i] : p->null_value);
        fputs("</TD>\n", out);
      }
      fputs("</TR>\n", out);
      break;
    case MODE_TCL:
      if (p->row_count++ == 0 && p->show_header) {
        for (i = 0; i < n; i++) {
          output_c_string(out, names[i]);
          if (i < n - 1) fputs(p->col_sep, out);
        }
        fputs(p->row_sep, out);
      }
      for (i = 0; i < n; i++) {
        output_c_string(out, vals[i] ? vals[i] : p->null_value);
        if (i < n - 1) fputs(p->col_sep, out);
      }
      fputs(p->row_sep, out);
      break;
    case MODE_CSV:
      if (p->row_count++ == 0 && p->show_header) {
        for (i = 0; i < n; i++) output_csv(p, names[i], i < n - 1);
        fputs(p->row_sep, out);
      }
      for (i = 0; i < n; i++) output_csv(p, vals[i], i < n - 1);
      fputs(p->row_sep, out);
      break;
    case MODE_INSERT:
      fprintf(out, "INSERT INTO %s", p->insert_table ? p->insert_table : "\"table\"");
      if (p->show_header && !p->dump_mode) {
        fputc('(', out);
        for (i = 0; i < n; i++) {
          if (i) fputc(',', out);
          if (shell_needs_quote(names[i])) {
            char *q = sqlite3_mprintf("\"%w\"", names[i]);
            fputs(q, out);
            sqlite3_free(q);
          } else {
            fputs(names[i], out);
          }
        }
        fputc(')', out);
      }
      p->row_count++;
      for (i = 0; i < n; i++) {
        fputs(i ? "," : " VALUES(", out);
        if (vals[i] == NULL || types[i] == SQLITE_NULL) fputs("NULL", out);
        else if (types[i] == SQLITE_TEXT) output_quoted_escaped_string(out, vals[i]);
        else if (types[i] == SQLITE_INTEGER) fputs(vals[i], out);
        else if (types[i] == SQLITE_FLOAT) output_real_literal(out, sqlite3_column_double(p->stmt, i), 1, 1);
        else if (types[i] == SQLITE_BLOB)
          output_hex_blob(out, sqlite3_column_blob(p->stmt, i), sqlite3_column_bytes(p->stmt, i));
        else if (looks_numeric(vals[i])) fputs(vals[i], out);
        else output_quoted_escaped_string(out, vals[i]);
      }
      fputs(");\n", out);
      break;
    case MODE_QUOTE:
      if (p->row_count == 0 && p->show_header) {
        for (i = 0; i < n; i++) {
          if (i) fputs(p->col_sep, out);
          output_quoted_string(out, names[i]);
        }
        fputs(p->row_sep, out);
      }
      p->row_count++;
      for (i = 0; i < n; i++) {
        if (i) fputs(p->col_sep, out);
        if (vals[i] == NULL || types[i] == SQLITE_NULL) fputs("NULL", out);
        else if (types[i] == SQLITE_TEXT) output_quoted_string(out, vals[i]);
        else if (types[i] == SQLITE_INTEGER) fputs(vals[i], out);
        else if (types[i] == SQLITE_FLOAT) output_real_literal(out, sqlite3_column_double(p->stmt, i), 0, 0);
        else if (types[i] == SQLITE_BLOB)
          output_hex_blob(out, sqlite3_column_blob(p->stmt, i), sqlite3_column_bytes(p->stmt, i));
        else if (looks_numeric(vals[i])) fputs(vals[i], out);
        else output_quoted_string(out, vals[i]);
      }
      fputs(p->row_sep, out);
      break;
    case MODE_JSON:
      fputs(p->row_count == 0 ? "[{" : ",\n{", out);
      p->row_count++;
      for (i = 0; i < n; i++) {
        output_json_string(out, names[i], -1);
        fputc(':', out);
        if (vals[i] == NULL || types[i] == SQLITE_NULL) fputs("null", out);
        else if (types[i] == SQLITE_FLOAT) output_real_literal(out, sqlite3_column_double(p->stmt, i), 1, 0);
        else if (types[i] == SQLITE_BLOB)
          output_json_string(out, sqlite3_column_blob(p->stmt, i), sqlite3_column_bytes(p->stmt, i));
        else if (types[i] == SQLITE_TEXT) output_json_string(out, vals[i], -1);
        else fputs(vals[i], out);
        if (i < n - 1) fputc(',', out);
      }
      fputc('}', out);
      break;
    default: /* list, ascii, tabs */
      if (p->row_count++ == 0 && p->show_header) {
        for (i = 0; i < n; i++) fprintf(out, "%s%s", names[i], i == n - 1 ? p->row_sep : p->col_sep);
      }
      for (i = 0; i < n; i++)
        fprintf(out, "%s%s", vals[i] ? vals[i] : p->null_value, i == n - 1 ? p->row_sep : p->col_sep);
      break;
  }
}

/* ------------------------------------------------------- columnar modes -- */

static void print_row_separator(Shell *p, int n, const char *sep) {
  for (int i = 0; i < n; i++) {
    fputs(sep, p->out);
    print_repeat(p->out, "-", p->actual_widths[i] + 2);
  }
  if (n > 0) fputs(sep, p->out);
  fputc('\n', p->out);
}

static void print_box_separator(Shell *p, int n, const char *left, const char *mid,
                                const char *right) {
  for (int i = 0; i < n; i++) {
    fputs(i == 0 ? left : mid, p->out);
    print_repeat(p->out, BOX_H, p->actual_widths[i] + 2);
  }
  if (n > 0) fputs(right, p->out);
  fputc('\n', p->out);
}

/* The statement has produced its first row already. */
static void output_columnar(Shell *p, sqlite3_stmt *st) {
  int ncol = sqlite3_column_count(st);
  if (ncol > MAX_WIDTHS) ncol = MAX_WIDTHS;
  size_t cap = (size_t)ncol * 8, nrow = 0;
  char **cells = malloc(sizeof(char *) * cap);
  unsigned char *row_ends = malloc(cap); /* per display row: ends a logical row */
  const unsigned char **next = calloc((size_t)ncol, sizeof(*next));
  if (!cells || !row_ends || !next) abort();
  int multi_line = 0;
  for (int i = 0; i < ncol; i++) {
    const char *name = sqlite3_column_name(st, i);
    cells[i] = strdup(name ? name : "");
    int w = i < p->n_widths ? p->widths[i] : 0;
    p->actual_widths[i] = w < 0 ? -w : w;
  }
  int more_lines = 0;
  do {
    if ((nrow + 2) * (size_t)ncol >= cap) {
      cap *= 2;
      cells = realloc(cells, sizeof(char *) * cap);
      row_ends = realloc(row_ends, cap);
      if (!cells || !row_ends) abort();
    }
    nrow++;
    row_ends[nrow - 1] = 1;
    int continued = more_lines;
    more_lines = 0;
    for (int i = 0; i < ncol; i++) {
      int w = i < p->n_widths ? p->widths[i] : 0;
      if (w < 0) w = -w;
      const unsigned char *z;
      if (continued) {
        z = next[i] ? next[i] : (const unsigned char *)"";
      } else {
        z = sqlite3_column_text(st, i);
        if (z == NULL) z = (const unsigned char *)p->null_value;
      }
      cells[nrow * (size_t)ncol + (size_t)i] = display_line(z, &next[i], w);
      if (next[i]) {
        more_lines = 1;
        row_ends[nrow - 1] = 0;
        multi_line = 1;
      }
    }
  } while (more_lines || sqlite3_step(st) == SQLITE_ROW);
  size_t total = (size_t)ncol * (nrow + 1);
  for (size_t i = 0; i < total; i++) {
    int n = char_len(cells[i]);
    int j = (int)(i % (size_t)ncol);
    if (n > p->actual_widths[j]) p->actual_widths[j] = n;
  }
  FILE *out = p->out;
  const char *col_sep = "  ", *row_sep = "\n";
  switch (p->mode) {
    case MODE_COLUMN:
      if (p->show_header) {
        for (int i = 0; i < ncol; i++) {
          int w = p->actual_widths[i];
          if (i < p->n_widths && p->widths[i] < 0) w = -w;
          print_width(out, w, cells[i]);
          fputs(i == ncol - 1 ? "\n" : "  ", out);
        }
        for (int i = 0; i < ncol; i++) {
          print_repeat(out, "-", p->actual_widths[i]);
          fputs(i == ncol - 1 ? "\n" : "  ", out);
        }
      }
      break;
    case MODE_TABLE:
    case MODE_MARKDOWN:
      col_sep = " | ";
      row_sep = " |\n";
      if (p->mode == MODE_TABLE) print_row_separator(p, ncol, "+");
      fputs("| ", out);
      for (int i = 0; i < ncol; i++) {
        int w = p->actual_widths[i], n = char_len(cells[i]);
        fprintf(out, "%*s%s%*s", (w - n) / 2, "", cells[i], (w - n + 1) / 2, "");
        fputs(i == ncol - 1 ? " |\n" : " | ", out);
      }
      print_row_separator(p, ncol, p->mode == MODE_TABLE ? "+" : "|");
      break;
    case MODE_BOX:
      col_sep = " " BOX_V " ";
      row_sep = " " BOX_V "\n";
      print_box_separator(p, ncol, BOX_DR, BOX_HD, BOX_DL);
      fputs(BOX_V " ", out);
      for (int i = 0; i < ncol; i++) {
        int w = p->actual_widths[i], n = char_len(cells[i]);
        fprintf(out, "%*s%s%*s%s", (w - n) / 2, "", cells[i], (w - n + 1) / 2, "",
                i == ncol - 1 ? " " BOX_V "\n" : " " BOX_V " ");
      }
      print_box_separator(p, ncol, BOX_VR, BOX_VH, BOX_VL);
      break;
  }
  for (size_t i = (size_t)ncol, j = 0; i < total; i++, j++) {
    if (j == 0 && p->mode != MODE_COLUMN) fputs(p->mode == MODE_BOX ? BOX_V " " : "| ", out);
    int w = p->actual_widths[j];
    if ((int)j < p->n_widths && p->widths[j] < 0) w = -w;
    print_width(out, w, cells[i]);
    if (j == (size_t)ncol - 1) {
      fputs(row_sep, out);
      if (multi_line && row_ends[i / (size_t)ncol - 1] && i + 1 < total) {
        if (p->mode == MODE_TABLE) print_row_separator(p, ncol, "+");
        else if (p->mode == MODE_BOX) print_box_separator(p, ncol, BOX_VR, BOX_VH, BOX_VL);
        else if (p->mode == MODE_COLUMN) fputc('\n', out);
      }
      j = (size_t)-1;
    } else {
      fputs(col_sep, out);
    }
  }
  if (p->mode == MODE_TABLE) print_row_separator(p, ncol, "+");
  else if (p->mode == MODE_BOX) print_box_separator(p, ncol, BOX_UR, BOX_HU, BOX_UL);
  for (size_t i = 0; i < total; i++) free(cells[i]);
  free(cells);
  free(row_ends);
  free(next);
}

/* ------------------------------------------------------------- explain -- */

/* EXPLAIN listing as the sqlite3 shell shows it, with loop bodies indented. */
static int output_explain(Shell *p, sqlite3_stmt *st) {
  static const int widths[] = {4, 13, 4, 4, 4, 13, 2, 13};
  FILE *out = p->out;
  int ncol = sqlite3_column_count(st);
  if (ncol > 8) ncol = 8;
  for (int i = 0; i < ncol; i++) {
    print_width(out, widths[i], sqlite3_column_name(st, i));
    fputs(i == ncol - 1 ? "\n" : "  ", out);
  }
  for (int i = 0; i < ncol; i++) {
    print_repeat(out, "-", widths[i]);
    fputs(i == ncol - 1 ? "\n" : "  ", out);
  }
  int rc;
  do {
    for (int i = 0; i < ncol; i++) {
      const char *v = (const char *)sqlite3_column_text(st, i);
      int w = i == ncol - 1 ? 0 : widths[i];
      const char *sep = "  ";
      if (v && char_len(v) > w) {
        w = char_len(v);
        sep = " ";
      }
      print_width(out, w, v ? v : p->null_value);
      fputs(i == ncol - 1 ? "\n" : sep, out);
    }
  } while ((rc = sqlite3_step(st)) == SQLITE_ROW);
  return rc;
}

typedef struct EqpRow {
  int id, parent;
  char *text;
} EqpRow;

static void eqp_render(FILE *out, EqpRow *rows, int n, int parent, char *prefix) {
  for (int i = 0; i < n; i++) {
    if (rows[i].parent != parent) continue;
    int last = 1;
    for (int k = i + 1; k < n; k++)
      if (rows[k].parent == parent) last = 0;
    fprintf(out, "%s%s%s\n", prefix, last ? "`--" : "|--", rows[i].text);
    size_t len = strlen(prefix);
    strcpy(prefix + len, last ? "   " : "|  ");
    eqp_render(out, rows, n, rows[i].id, prefix);
    prefix[len] = 0;
  }
}

static int output_eqp(Shell *p, sqlite3_stmt *st) {
  int n = 0, cap = 16, rc;
  EqpRow *rows = malloc(sizeof(EqpRow) * (size_t)cap);
  if (!rows) abort();
  do {
    if (n == cap) {
      rows = realloc(rows, sizeof(EqpRow) * (size_t)(cap *= 2));
      if (!rows) abort();
    }
    const char *t = (const char *)sqlite3_column_text(st, 3);
    rows[n].id = sqlite3_column_int(st, 0);
    rows[n].parent = sqlite3_column_int(st, 1);
    rows[n].text = strdup(t ? t : "");
    n++;
  } while ((rc = sqlite3_step(st)) == SQLITE_ROW);
  char prefix[400] = "";
  fputs("QUERY PLAN\n", p->out);
  eqp_render(p->out, rows, n, 0, prefix);
  for (int i = 0; i < n; i++) free(rows[i].text);
  free(rows);
  return rc;
}

/* .eqp on|full: the plan (and for full the bytecode) of each statement
** before its results. */
static void output_auto_eqp(Shell *p, sqlite3_stmt *st) {
  if (sqlite3_stmt_isexplain(st)) return;
  for (int pass = 0; pass < (p->autoeqp >= 2 ? 2 : 1); pass++) {
    char *sql = sqlite3_mprintf("%s %s", pass ? "EXPLAIN" : "EXPLAIN QUERY PLAN", sqlite3_sql(st));
    sqlite3_stmt *e = NULL;
    if (sql && sqlite3_prepare_v2(p->db, sql, -1, &e, 0) == SQLITE_OK && e) {
      shell_bind_parameters(p, e);
      if (sqlite3_step(e) == SQLITE_ROW) {
        if (pass) output_explain(p, e);
        else output_eqp(p, e);
      }
    }
    sqlite3_finalize(e);
    sqlite3_free(sql);
  }
}

/* ---------------------------------------------------------------- exec -- */

static int is_columnar(int mode) {
  return mode == MODE_COLUMN || mode == MODE_TABLE || mode == MODE_BOX || mode == MODE_MARKDOWN;
}

/* Step a statement and output its rows. Returns the final step code. */
static int output_statement(Shell *p, sqlite3_stmt *st) {
  int rc = sqlite3_step(st);
  if (rc != SQLITE_ROW) return rc;
  p->stmt = st;
  p->row_count = 0;
  if (p->explain_auto && !p->dump_mode) {
    int ex = sqlite3_stmt_isexplain(st);
    if (ex == 1) return output_explain(p, st);
    if (ex == 2) return output_eqp(p, st);
  }
  if (is_columnar(p->mode)) {
    output_columnar(p, st);
    return SQLITE_DONE;
  }
  int n = sqlite3_column_count(st);
  char **vals = malloc(sizeof(char *) * (size_t)(2 * n + 1));
  int *types = malloc(sizeof(int) * (size_t)(n + 1));
  if (!vals || !types) abort();
  char **names = vals + n;
  for (int i = 0; i < n; i++) names[i] = (char *)sqlite3_column_name(st, i);
  do {
    for (int i = 0; i < n; i++) {
      types[i] = sqlite3_column_type(st, i);
      if (types[i] == SQLITE_BLOB && (p->mode == MODE_INSERT || p->mode == MODE_QUOTE)) vals[i] = "";
      else vals[i] = (char *)sqlite3_column_text(st, i);
    }
    output_row(p, n, vals, names, types);
  } while ((rc = sqlite3_step(st)) == SQLITE_ROW);
  if (p->mode == MODE_JSON) fputs("]\n", p->out);
  free(vals);
  free(types);
  return rc;
}

/* Where an error is in the statement text, as the sqlite3 shell shows it. */
static char *error_context(const char *sql, sqlite3 *db) {
  int off = sqlite3_error_offset(db);
  if (sql == NULL || off < 0) return sqlite3_mprintf("");
  while (off > 50) {
    off--;
    sql++;
    while ((sql[0] & 0xc0) == 0x80) sql++, off--;
  }
  size_t len = strlen(sql);
  if (len > 78) {
    len = 78;
    while ((sql[len] & 0xc0) == 0x80) len--;
  }
  char *code = sqlite3_mprintf("%.*s", (int)len, sql);
  for (size_t i = 0; code && code[i]; i++)
    if (code[i] == ' ' || (code[i] >= '\t' && code[i] <= '\r')) code[i] = ' ';
  if (off < 25) return sqlite3_mprintf("\n  %z\n  %*s^--- error here", code, off, "");
  return sqlite3_mprintf("\n  %z\n  %*serror here ---^", code, off - 14, "");
}

static char *error_message(sqlite3 *db, const char *phase, int rc, const char *sql) {
  char *ctx = error_context(sql, db);
  char *msg;
  if (rc > 1) msg = sqlite3_mprintf("%s, %s (%d)%s", phase, sqlite3_errmsg(db), rc, ctx);
  else msg = sqlite3_mprintf("%s, %s%s", phase, sqlite3_errmsg(db), ctx);
  sqlite3_free(ctx);
  return msg;
}

static double cpu_seconds(int user) {
  struct rusage r;
  getrusage(RUSAGE_SELF, &r);
  struct timeval t = user ? r.ru_utime : r.ru_stime;
  return (double)t.tv_sec + (double)t.tv_usec * 1e-6;
}

static double wall_seconds(void) {
  struct timeval t;
  gettimeofday(&t, NULL);
  return (double)t.tv_sec + (double)t.tv_usec * 1e-6;
}

int shell_exec(Shell *p, const char *sql, char **err_out) {
  int rc = SQLITE_OK;
  *err_out = NULL;
  while (sql && sql[0]) {
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    double w0 = wall_seconds(), u0 = cpu_seconds(1), s0 = cpu_seconds(0);
    rc = sqlite3_prepare_v2(p->db, sql, -1, &st, &tail);
    if (rc != SQLITE_OK) {
      *err_out = error_message(p->db, "in prepare", rc, sql);
      return rc;
    }
    if (st == NULL) { /* whitespace or comment */
      sql = tail;
      while (*sql == ' ' || (*sql >= '\t' && *sql <= '\r')) sql++;
      continue;
    }
    if (p->echo) fprintf(p->out, "%s\n", sqlite3_sql(st));
    shell_bind_parameters(p, st);
    if (p->autoeqp) output_auto_eqp(p, st);
    int step_rc = output_statement(p, st);
    p->stmt = NULL;
    if (step_rc != SQLITE_DONE && step_rc != SQLITE_OK) {
      rc = sqlite3_finalize(st);
      if (rc == SQLITE_OK) rc = step_rc;
      *err_out = error_message(p->db, "stepping", rc, sql);
      return rc;
    }
    rc = sqlite3_finalize(st);
    if (rc != SQLITE_OK) {
      *err_out = error_message(p->db, "stepping", rc, sql);
      return rc;
    }
    if (p->timer)
      fprintf(p->out, "Run Time: real %.3f user %f sys %f\n", wall_seconds() - w0,
              cpu_seconds(1) - u0, cpu_seconds(0) - s0);
    sql = tail;
    while (sql && (*sql == ' ' || (*sql >= '\t' && *sql <= '\r'))) sql++;
  }
  if (p->changes)
    fprintf(p->out, "changes: %lld   total_changes: %lld\n", (long long)sqlite3_changes64(p->db),
            (long long)sqlite3_total_changes64(p->db));
  return rc;
}

void shell_set_mode(Shell *p, int mode) {
  p->mode = mode;
  switch (mode) {
    case MODE_LIST:
      strcpy(p->col_sep, SEP_COLUMN), strcpy(p->row_sep, SEP_ROW);
      break;
    case MODE_CSV:
      strcpy(p->col_sep, SEP_COMMA), strcpy(p->row_sep, SEP_CRLF);
      break;
    case MODE_QUOTE:
      strcpy(p->col_sep, SEP_COMMA), strcpy(p->row_sep, SEP_ROW);
      break;
    case MODE_TCL:
      strcpy(p->col_sep, " "), strcpy(p->row_sep, SEP_ROW);
      break;
    case MODE_ASCII:
      strcpy(p->col_sep, SEP_UNIT), strcpy(p->row_sep, SEP_RECORD);
      break;
    case MODE_COLUMN:
      if (!p->header_set) p->show_header = 1;
      strcpy(p->row_sep, SEP_ROW);
      break;
    case MODE_LINE:
      strcpy(p->row_sep, SEP_ROW);
      break;
  }
}
