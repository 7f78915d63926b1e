import { Lang } from './enums.js';

/** A text held in both languages of the network. */
export interface Localized {
  en: string;
  ru: string;
}

/** The asked language, or the request's, then English; an empty translation falls back to the other. */
export function pick(text: Localized, lang: Lang): string {
  const first = lang === Lang.RU ? text.ru : text.en;
  return first || text.en || text.ru;
}
