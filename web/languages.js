// Language codes accepted by honyaku (Amazon Translate's list, PROTOCOL.md),
// each with its name as written in that language.
export const LANGUAGES = [
  ['af', 'Afrikaans'], ['sq', 'Shqip'], ['am', 'አማርኛ'], ['ar', 'العربية'],
  ['hy', 'Հայերեն'], ['az', 'Azərbaycanca'], ['bn', 'বাংলা'], ['bs', 'Bosanski'],
  ['bg', 'Български'], ['ca', 'Català'], ['zh', '中文（简体）'], ['zh-TW', '中文（繁體）'],
  ['hr', 'Hrvatski'], ['cs', 'Čeština'], ['da', 'Dansk'], ['fa-AF', 'دری'],
  ['nl', 'Nederlands'], ['en', 'English'], ['et', 'Eesti'], ['fa', 'فارسی'],
  ['tl', 'Tagalog'], ['fi', 'Suomi'], ['fr', 'Français'], ['fr-CA', 'Français (Canada)'],
  ['ka', 'ქართული'], ['de', 'Deutsch'], ['el', 'Ελληνικά'], ['gu', 'ગુજરાતી'],
  ['ht', 'Kreyòl ayisyen'], ['ha', 'Hausa'], ['he', 'עברית'], ['hi', 'हिन्दी'],
  ['hu', 'Magyar'], ['is', 'Íslenska'], ['id', 'Bahasa Indonesia'], ['ga', 'Gaeilge'],
  ['it', 'Italiano'], ['ja', '日本語'], ['kn', 'ಕನ್ನಡ'], ['kk', 'Қазақ тілі'],
  ['ko', '한국어'], ['lv', 'Latviešu'], ['lt', 'Lietuvių'], ['mk', 'Македонски'],
  ['ms', 'Bahasa Melayu'], ['ml', 'മലയാളം'], ['mt', 'Malti'], ['mr', 'मराठी'],
  ['mn', 'Монгол'], ['no', 'Norsk'], ['ps', 'پښتو'], ['pl', 'Polski'],
  ['pt', 'Português'], ['pt-PT', 'Português (Portugal)'], ['pa', 'ਪੰਜਾਬੀ'], ['ro', 'Română'],
  ['ru', 'Русский'], ['sr', 'Српски'], ['si', 'සිංහල'], ['sk', 'Slovenčina'],
  ['sl', 'Slovenščina'], ['so', 'Soomaali'], ['es', 'Español'], ['es-MX', 'Español (México)'],
  ['sw', 'Kiswahili'], ['sv', 'Svenska'], ['ta', 'தமிழ்'], ['te', 'తెలుగు'],
  ['th', 'ไทย'], ['tr', 'Türkçe'], ['uk', 'Українська'], ['ur', 'اردو'],
  ['uz', 'Oʻzbekcha'], ['vi', 'Tiếng Việt'], ['cy', 'Cymraeg'],
];

const NAMES = new Map(LANGUAGES);

export function isLanguage(code) {
  return NAMES.has(code);
}

/** "日本語 (ja)"; an unknown code is shown as itself. */
export function languageLabel(code) {
  const name = NAMES.get(code);
  return name ? `${name} (${code})` : String(code ?? '?');
}

/** Best supported code for the browser's preferred languages, else "en". */
export function guessLanguage(preferred = globalThis.navigator?.languages ?? []) {
  for (const tag of preferred) {
    const [base, region] = String(tag).split('-');
    const candidates = [];
    if (region) candidates.push(`${base}-${region.toUpperCase()}`);
    if (base === 'zh' && /^(TW|HK|MO|Hant)$/i.test(region || '')) candidates.push('zh-TW');
    candidates.push(base === 'nb' || base === 'nn' ? 'no' : base);
    const hit = candidates.find(isLanguage);
    if (hit) return hit;
  }
  return 'en';
}

/** Fill a <select> with every language, selecting `selected`. */
export function fillLanguageSelect(select, selected) {
  select.replaceChildren(...LANGUAGES.map(([code]) => {
    const option = document.createElement('option');
    option.value = code;
    option.textContent = languageLabel(code);
    return option;
  }));
  select.value = isLanguage(selected) ? selected : 'en';
}
