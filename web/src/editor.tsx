// The SQL editor: a textarea over a highlighted copy of its text (the textarea's own text is
// transparent, its caret is not), with completion of catalogs, schemas, tables and columns.
// Ctrl+Space or typing a name opens the list; ArrowUp/ArrowDown choose, Enter or Tab accepts,
// Escape closes; Ctrl+Enter runs the query.
import type { JSX } from "preact";
import { useRef, useState } from "preact/hooks";
import { type Candidate, candidates } from "./completion";
import { tokenize } from "./sqltokens";

export function SqlEditor({
  value,
  onChange,
  onRun,
}: {
  value: string;
  onChange: (sql: string) => void;
  onRun: () => void;
}): JSX.Element {
  const area = useRef<HTMLTextAreaElement>(null);
  const shadow = useRef<HTMLPreElement>(null);
  const [items, setItems] = useState<Candidate[]>([]);
  const [prefix, setPrefix] = useState("");
  const [active, setActive] = useState(0);
  const request = useRef(0);

  async function complete(text: string, caret: number): Promise<void> {
    const ticket = ++request.current;
    const found = await candidates(text, caret);
    if (ticket !== request.current) return; // a newer keystroke asked since
    const exact = found.items.length === 1 && found.items[0].label === found.prefix;
    setItems(exact ? [] : found.items);
    setPrefix(found.prefix);
    setActive(0);
  }

  function accept(candidate: Candidate): void {
    const el = area.current;
    if (!el) return;
    const caret = el.selectionStart;
    const text = el.value.slice(0, caret - prefix.length) + candidate.label + el.value.slice(caret);
    const at = caret - prefix.length + candidate.label.length;
    // The text and caret change now, not in a later frame: keys typed right after accepting
    // land after the accepted name (the re-render finds the same value and keeps the caret).
    el.value = text;
    el.focus();
    el.setSelectionRange(at, at);
    request.current++;
    setItems([]);
    onChange(text);
  }

  function onKeyDown(event: KeyboardEvent): void {
    const el = event.currentTarget as HTMLTextAreaElement;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      setItems([]);
      onRun();
    } else if (event.key === " " && event.ctrlKey) {
      event.preventDefault();
      void complete(el.value, el.selectionStart);
    } else if (items.length > 0) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        setActive((active + 1) % items.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        setActive((active - 1 + items.length) % items.length);
      } else if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        accept(items[active]);
      } else if (event.key === "Escape") {
        event.preventDefault();
        setItems([]);
      }
    }
  }

  function onInput(event: Event): void {
    const el = event.currentTarget as HTMLTextAreaElement;
    onChange(el.value);
    // one typed character opens the list; a paste, a deletion or a whole new text closes it
    const typed = (event as InputEvent).data ?? "";
    if (typed.length === 1 && /[A-Za-z0-9_.]/.test(typed)) void complete(el.value, el.selectionStart);
    else {
      request.current++;
      setItems([]);
    }
  }

  function syncScroll(): void {
    if (shadow.current && area.current) {
      shadow.current.scrollTop = area.current.scrollTop;
      shadow.current.scrollLeft = area.current.scrollLeft;
    }
  }

  const open = items.length > 0;
  return (
    <div class="editor">
      <pre class="editor-shadow" ref={shadow} aria-hidden="true">
        {tokenize(value).map((t, i) => (t.kind === "text" ? t.text : <span key={i} class={`tok-${t.kind}`}>{t.text}</span>))}
        {"\n"}
      </pre>
      <textarea
        id="sql"
        ref={area}
        spellcheck={false}
        autocomplete="off"
        rows={8}
        value={value}
        role="combobox"
        aria-label="SQL"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls="sql-completions"
        aria-activedescendant={open ? `completion-${active}` : undefined}
        onInput={onInput}
        onKeyDown={onKeyDown}
        onScroll={syncScroll}
        onBlur={() => window.setTimeout(() => setItems([]), 150)}
      />
      <ul id="sql-completions" role="listbox" aria-label="Completions" hidden={!open}>
        {items.map((c, i) => (
          <li
            key={c.label}
            id={`completion-${i}`}
            role="option"
            aria-selected={i === active}
            class={i === active ? "active" : ""}
            onMouseDown={(e) => {
              e.preventDefault();
              accept(c);
            }}
          >
            <span class="name">{c.label}</span> <span class="muted">{c.detail}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
