/**
 * What a client knows about its own writes when the server may die at any moment: which were
 * acknowledged, which were still unanswered, and so what a read after a restart may find.
 *
 * Every write carries a fresh token in both fields (model `m-<token>`, color `c-<token>`), so a
 * row names the write it came from, and a row whose fields name different writes is torn.
 */

/** A car as read back. */
export interface StoredRow {
  id: number;
  model: string;
  color: string;
}

/** The fields a write with this token sends. */
export const fieldsFor = (token: string) => ({ model: `m-${token}`, color: `c-${token}` });

interface IdHistory {
  /** Tokens written to this id, oldest first; index 0 is the baseline (last acknowledged or seen). */
  tokens: string[];
}

/** What a check after a restart found. */
export interface Verdict {
  rows: number;
  /** Ids with an acknowledged write that are missing, or hold a value older than that write. */
  lost: string[];
  /** Rows whose model and color come from different writes, or from no write at all. */
  torn: string[];
  /** Rows no write of ours explains (an id we never wrote, a duplicate). */
  unexpected: string[];
  /** Unanswered writes found applied. */
  unansweredApplied: number;
  /** Unanswered writes found not applied. */
  unansweredLost: number;
}

/** The client's record of its writes; a single-writer-per-id workload keeps each id's order exact. */
export class WriteLedger {
  private readonly ids = new Map<number, IdHistory>();
  private readonly owned = new Map<number, number[]>();
  /** Creates that got no answer: the server may have stored them under an id we never learnt. */
  private readonly unansweredCreates = new Map<string, number>();
  acknowledged = 0;

  /** The ids `owner` may update (it alone writes to them). */
  idsOf(owner: number): readonly number[] {
    return this.owned.get(owner) ?? [];
  }

  /** A create acknowledged with this id. */
  createAcknowledged(owner: number, token: string, id: number): void {
    this.acknowledged++;
    this.adopt(owner, token, id);
  }

  /** A create sent that got no answer. */
  createUnanswered(owner: number, token: string): void {
    this.unansweredCreates.set(token, owner);
  }

  /** A put about to be sent to `id`: from now on the row may hold it (a put without a 2xx stays "unanswered"). */
  putSent(id: number, token: string): void {
    this.history(id).tokens.push(token);
  }

  /** The put answered 2xx: the row must hold it or a later write. */
  putAcknowledged(id: number, token: string): void {
    this.acknowledged++;
    const history = this.history(id);
    history.tokens = history.tokens.slice(history.tokens.lastIndexOf(token));
  }

  /**
   * Checks every row read after a restart against the record, then takes what was found as
   * the new baseline (it is committed now), forgetting the unanswered writes that were lost.
   */
  verify(rows: readonly StoredRow[]): Verdict {
    const verdict: Verdict = { rows: rows.length, lost: [], torn: [], unexpected: [], unansweredApplied: 0, unansweredLost: 0 };
    const seen = new Set<number>();
    for (const row of rows) {
      if (seen.has(row.id)) {
        verdict.unexpected.push(`id ${row.id} listed twice`);
        continue;
      }
      seen.add(row.id);
      const token = row.model.startsWith('m-') ? row.model.slice(2) : undefined;
      if (token === undefined || row.color !== `c-${token}`) {
        verdict.torn.push(JSON.stringify(row));
        continue;
      }
      const history = this.ids.get(row.id);
      if (history === undefined) {
        const owner = this.unansweredCreates.get(token);
        if (owner === undefined) {
          verdict.unexpected.push(JSON.stringify(row));
        } else {
          this.unansweredCreates.delete(token);
          verdict.unansweredApplied++;
          this.adopt(owner, token, row.id);
        }
        continue;
      }
      const index = history.tokens.lastIndexOf(token);
      if (index < 0) {
        verdict.lost.push(`id ${row.id} holds ${token}, not ${history.tokens[0]} or a later write`);
        continue;
      }
      verdict.unansweredApplied += index > 0 ? 1 : 0;
      verdict.unansweredLost += history.tokens.length - 1 - index;
      history.tokens = [token];
    }
    for (const [id, history] of this.ids) {
      if (seen.has(id)) continue;
      verdict.lost.push(`id ${id} is missing (acknowledged ${history.tokens[0]})`);
    }
    verdict.unansweredLost += this.unansweredCreates.size;
    this.unansweredCreates.clear();
    return verdict;
  }

  private adopt(owner: number, token: string, id: number): void {
    this.ids.set(id, { tokens: [token] });
    const list = this.owned.get(owner) ?? [];
    list.push(id);
    this.owned.set(owner, list);
  }

  private history(id: number): IdHistory {
    const history = this.ids.get(id);
    if (history === undefined) throw new Error(`no write to id ${id} was acknowledged`);
    return history;
  }
}
