/*
 * keycode: the keys as the console's handlers see them: characters as
 * their code points, other keys as these KEY_CODE_ values (ui.c translates
 * curses' codes). Shared by the key table and the dialogs.
 */
#ifndef LW_KEYCODE_H
#define LW_KEYCODE_H

/* Pseudo key codes for keys that are not characters. */
enum {
	KEY_CODE_TAB = '\t',
	KEY_CODE_ENTER = '\r',
	KEY_CODE_ESC = 27,
	KEY_CODE_UP = 0x110000,
	KEY_CODE_DOWN,
	KEY_CODE_PGUP,
	KEY_CODE_PGDN,
	KEY_CODE_BTAB,
	KEY_CODE_HOME,
	KEY_CODE_END,
	KEY_CODE_BACKSPACE,
	KEY_CODE_LEFT,
	KEY_CODE_RIGHT,
};

#endif
