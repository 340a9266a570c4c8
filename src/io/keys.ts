import { createPrompt, useKeypress, useState } from '@inquirer/core';

export interface KeyChoice {
  key: string;
  label: string;
}

/** A one-keystroke menu: the action runs on the key itself, no Enter needed. */
export const keyPrompt = createPrompt<string, { message: string; choices: readonly KeyChoice[]; hint?: string }>((config, done) => {
  const [chosen, setChosen] = useState<string | null>(null);
  useKeypress((event) => {
    if (chosen !== null) return;
    // Letters come as a key name; punctuation (`?`) only as the character typed.
    const name = (event.name || (event as { sequence?: string }).sequence || '').toLowerCase();
    const pick = event.ctrl ? undefined : config.choices.find((c) => c.key === name);
    if (pick) {
      setChosen(pick.label);
      done(pick.key);
    }
  });
  if (chosen !== null) return `${config.message} ${chosen}`;
  const hint = config.hint ?? config.choices.map((c) => `[${c.key}] ${c.label}`).join('  ');
  return `${config.message}\n${hint}`;
});
