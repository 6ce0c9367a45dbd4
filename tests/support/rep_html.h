/*
 * rep_html: a small well-formedness checker for the HTML report (header-only
 * so it links into no other test program): every element closed in order,
 * void elements only as listed, attribute values quoted, entities valid.
 */
#ifndef LW_REP_HTML_H
#define LW_REP_HTML_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Returns NULL when html is balanced, else a static message saying where. */
static inline const char *
rep_html_check(const char *html)
{
	static char why[200];
	static const char *const voids[] = {"meta", "br", "hr", "img", "input", "link"};
	char stack[64][32];
	int depth = 0;
	const char *p = html;
	while (*p) {
		if (*p == '&') {
			size_t n = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz0123456789#");
			if (n == 0 || p[1 + n] != ';') {
				snprintf(
				    why, sizeof why, "bad entity at offset %ld", (long)(p - html));
				return why;
			}
			p += n + 2;
			continue;
		}
		if (*p != '<') {
			p++;
			continue;
		}
		if (strncmp(p, "<!--", 4) == 0 || strncmp(p, "<!DOCTYPE", 9) == 0) {
			p = strchr(p, '>');
			if (!p)
				return "unterminated declaration";
			p++;
			continue;
		}
		bool closing = p[1] == '/';
		const char *name = p + 1 + closing;
		size_t nl = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789");
		if (nl == 0 || nl >= 32) {
			snprintf(why, sizeof why, "bad tag at offset %ld", (long)(p - html));
			return why;
		}
		const char *q = name + nl;
		char quote = 0;
		for (; *q && (quote || *q != '>'); q++) {
			if (quote && *q == quote)
				quote = 0;
			else if (!quote && (*q == '"' || *q == '\''))
				quote = *q;
			else if (!quote && *q == '<')
				return "'<' inside a tag";
			else if (!quote && *q == '=' && q[1] != '"' && q[1] != '\'')
				return "unquoted attribute value";
		}
		if (!*q)
			return "unterminated tag";
		bool self = q[-1] == '/';
		char tag[32];
		memcpy(tag, name, nl);
		tag[nl] = '\0';
		bool is_void = false;
		for (size_t i = 0; i < sizeof voids / sizeof voids[0]; i++)
			is_void |= strcmp(tag, voids[i]) == 0;
		if (closing) {
			if (depth == 0 || strcmp(stack[depth - 1], tag) != 0) {
				snprintf(why, sizeof why, "</%s> at offset %ld closes <%s>", tag,
				    (long)(p - html), depth ? stack[depth - 1] : "(nothing)");
				return why;
			}
			depth--;
		} else if (!self && !is_void) {
			if (depth == 64)
				return "nesting too deep";
			strcpy(stack[depth++], tag);
			if (strcmp(tag, "style") == 0 || strcmp(tag, "title") == 0) {
				const char *end =
				    strstr(q, strcmp(tag, "style") == 0 ? "</style>" : "</");
				if (!end)
					return "unterminated raw text element";
				q = end - 1;
			}
		}
		p = q + 1;
	}
	if (depth != 0) {
		snprintf(why, sizeof why, "<%s> never closed", stack[depth - 1]);
		return why;
	}
	return NULL;
}

/* Returns the number of times needle occurs in hay. */
static inline int
rep_count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

#endif
