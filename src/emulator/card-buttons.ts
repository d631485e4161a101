/**
 * Every button of a card (JSON 2.0 `tag: button`), wherever it sits in the tree: what a
 * person looking at the card could press. Used by the demo user and by tests acting as users.
 */
export function cardButtons(card: unknown): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record['tag'] === 'button') found.push(record);
      Object.values(record).forEach(walk);
    }
  };
  walk(card);
  return found;
}
