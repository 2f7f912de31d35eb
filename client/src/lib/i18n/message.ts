// A sentence the app's logic wants shown, as a catalogue id and its values, so plain TS modules
// (room state, media problems) say what happened and the component renders it in the chosen
// language. A value may itself be a Message (a reason inside a sentence), or a list of values
// ("Bob, Carol and Dan", joined by Intl.ListFormat in the language); those are rendered first.
import { type MessageId } from './catalogues/en';

export type MessageValue = string | number | Message | ListValue;

export interface ListValue {
  readonly list: readonly MessageValue[];
}

export interface Message {
  readonly id: MessageId;
  readonly values?: Readonly<Record<string, MessageValue>>;
}

export function message(id: MessageId, values?: Readonly<Record<string, MessageValue>>): Message {
  return values === undefined ? { id } : { id, values };
}

export function list(items: readonly MessageValue[]): ListValue {
  return { list: items };
}
