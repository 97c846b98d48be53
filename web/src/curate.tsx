// Inline curation on an entity page, shown only when the API says the caller may curate it
// (`editable`, Ranger's alter on the table, schema or catalog); the API checks again on write.
import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { ApiError, type Entity, request, sendJson } from "./api";

function message(exc: unknown): string {
  return exc instanceof ApiError ? `${exc.code}: ${exc.message}` : "the change failed";
}

export function Curation({ entity, onChanged }: { entity: Entity; onChanged: (e: Entity) => void }): JSX.Element {
  const [editing, setEditing] = useState(false);
  const [description, setDescription] = useState(entity.description ?? "");
  const [owners, setOwners] = useState(entity.owners.join(", "));
  const [tag, setTag] = useState("");
  const [error, setError] = useState("");

  async function save(event: Event): Promise<void> {
    event.preventDefault();
    setError("");
    try {
      const changed = await sendJson<Entity>("PATCH", `/v1/entities/${encodeURIComponent(entity.guid)}`, {
        description: description.trim() === "" ? null : description,
        owners: owners
          .split(",")
          .map((o) => o.trim())
          .filter(Boolean),
      });
      setEditing(false);
      onChanged(changed);
    } catch (exc) {
      setError(message(exc));
    }
  }

  async function classify(event: Event): Promise<void> {
    event.preventDefault();
    if (!tag.trim()) return;
    setError("");
    try {
      onChanged(
        await sendJson<Entity>("POST", `/v1/entities/${encodeURIComponent(entity.guid)}/classifications`, {
          name: tag.trim(),
        }),
      );
      setTag("");
    } catch (exc) {
      setError(message(exc));
    }
  }

  async function unclassify(name: string): Promise<void> {
    setError("");
    try {
      const response = await request(
        "DELETE",
        `/v1/entities/${encodeURIComponent(entity.guid)}/classifications/${encodeURIComponent(name)}`,
        undefined,
        { headers: { Accept: "application/json" } },
      );
      onChanged((await response.json()) as Entity);
    } catch (exc) {
      setError(message(exc));
    }
  }

  const own = entity.classifications.filter((c) => c.propagated_from === null);
  return (
    <section class="curation" aria-labelledby="curation-h">
      <h2 id="curation-h">Curate</h2>
      {editing ? (
        <form onSubmit={save} class="curation-form">
          <label for="edit-description">Description</label>
          <textarea
            id="edit-description"
            rows={3}
            value={description}
            onInput={(e) => setDescription((e.currentTarget as HTMLTextAreaElement).value)}
          />
          <label for="edit-owners">Owners (comma-separated)</label>
          <input id="edit-owners" value={owners} onInput={(e) => setOwners((e.currentTarget as HTMLInputElement).value)} />
          <div class="toolbar">
            <button type="submit" id="save-curation">
              Save
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <button type="button" id="edit-curation" onClick={() => setEditing(true)}>
          Edit description and owners
        </button>
      )}
      <form onSubmit={classify} class="toolbar">
        <label for="add-classification" class="visually-hidden">
          Classification
        </label>
        <input
          id="add-classification"
          placeholder="Classification, e.g. PII"
          value={tag}
          onInput={(e) => setTag((e.currentTarget as HTMLInputElement).value)}
        />
        <button type="submit">Classify</button>
        {own.map((c) => (
          <button type="button" class="tag-remove" key={c.name} onClick={() => void unclassify(c.name)}>
            Remove {c.name}
          </button>
        ))}
      </form>
      {error && (
        <p class="error" role="alert" id="curation-error">
          {error}
        </p>
      )}
    </section>
  );
}
