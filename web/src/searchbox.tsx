// The search box: a combobox (WAI-ARIA 1.2 pattern) whose list is /v1/suggest's completions.
// ArrowDown/ArrowUp move through suggestions, Enter opens the chosen one (or searches the
// text), Escape closes the list.
import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { getJson, type Suggestion } from "./api";
import { entityHref } from "./link";
import { navigate } from "./router";

export function SearchBox({ initial, autoFocus }: { initial: string; autoFocus?: boolean }): JSX.Element {
  const [text, setText] = useState(initial);
  const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
  const [active, setActive] = useState(-1);
  const [open, setOpen] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => setText(initial), [initial]);
  useEffect(() => {
    if (autoFocus) input.current?.focus();
  }, [autoFocus]);

  useEffect(() => {
    const prefix = text.trim();
    if (!open || prefix.length === 0) {
      setSuggestions([]);
      return;
    }
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      getJson<{ suggestions: Suggestion[] }>(`/v1/suggest?q=${encodeURIComponent(prefix)}`, controller.signal)
        .then((answer) => {
          setSuggestions(answer.suggestions);
          setActive(-1);
        })
        .catch(() => undefined);
    }, 60);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [text, open]);

  function search(): void {
    setOpen(false);
    navigate(`/ui/search?q=${encodeURIComponent(text.trim())}`);
  }

  function onKeyDown(event: KeyboardEvent): void {
    const shown = open && suggestions.length > 0;
    if (event.key === "ArrowDown" && shown) {
      event.preventDefault();
      setActive((active + 1) % suggestions.length);
    } else if (event.key === "ArrowUp" && shown) {
      event.preventDefault();
      setActive(active <= 0 ? suggestions.length - 1 : active - 1);
    } else if (event.key === "Escape") {
      setOpen(false);
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (shown && active >= 0) {
        setOpen(false);
        navigate(entityHref(suggestions[active].guid));
      } else search();
    }
  }

  const shown = open && suggestions.length > 0;
  return (
    <form class="searchbox" role="search" onSubmit={(e) => (e.preventDefault(), search())}>
      <label for="q" class="visually-hidden">
        Search the catalog
      </label>
      <input
        id="q"
        ref={input}
        type="search"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={shown}
        aria-controls="suggestions"
        aria-activedescendant={shown && active >= 0 ? `suggestion-${active}` : undefined}
        placeholder="Search tables, columns, descriptions…"
        autocomplete="off"
        value={text}
        onInput={(e) => {
          setText((e.currentTarget as HTMLInputElement).value);
          setOpen(true);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => window.setTimeout(() => setOpen(false), 150)}
      />
      <button type="submit">Search</button>
      <ul id="suggestions" role="listbox" aria-label="Suggestions" hidden={!shown}>
        {suggestions.map((s, i) => (
          <li
            key={s.guid}
            id={`suggestion-${i}`}
            role="option"
            aria-selected={i === active}
            class={i === active ? "active" : ""}
            onMouseDown={(e) => {
              e.preventDefault();
              setOpen(false);
              navigate(entityHref(s.guid));
            }}
          >
            <span class="name">{s.name}</span> <span class="type">{s.type}</span>
            <span class="qname">{s.qualified_name}</span>
          </li>
        ))}
      </ul>
    </form>
  );
}
