//! A DeepL API v2 stand-in (filled in with the DeepL engine).
