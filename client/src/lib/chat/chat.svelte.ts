// The call's chat. Each line is sealed under the current epoch's app-message key and signed by its
// sender (SecureRoom.sendApp); the server relays bytes it cannot read. Lines are shown with the
// name the signed member list gives their sender, once each and in each sender's order
// (ChatLog), and a line is kept until the server acknowledges it, then resent after a reconnect
// (Outbox). History starts when this page joins: earlier lines were sealed under epochs it never
// held keys for, and no line is stored anywhere.
import { toBase64Url } from '../../../../crypto/index';
import { type SecureRoom, type AppDelivery } from '../e2ee/secure-room.svelte';
import { trace } from '../e2ee/trace';
import { cleanChatText, decodeChatBody, encodeChatBody, MAX_CHAT_LENGTH, MESSAGE_ID_BYTES } from './chat-body';
import { ChatLog, type ChatLine } from './chat-log';
import { Outbox } from './outbox';

export class Chat {
  lines = $state.raw<readonly ChatLine[]>([]);

  readonly #secure: SecureRoom;
  readonly #log = new ChatLog();
  readonly #outbox: Outbox;

  constructor(secure: SecureRoom) {
    this.#secure = secure;
    this.#outbox = new Outbox((body, relayId) => secure.sendApp('chat', body, 'all', relayId));
    secure.onApp((delivery) => {
      if (delivery.type === 'chat') this.#received(delivery);
    });
    secure.onAck((relayId) => this.#acked(relayId));
    // Resend only once the new socket has read the commits it missed, so lines are sealed under the
    // epoch the others hold now, not the one this page held when it dropped.
    secure.onSynced(() => this.#outbox.reconnected());
  }

  /** Send a line to everyone in the call; false if it is empty or too long (nothing is sent). */
  send(raw: string): boolean {
    const text = cleanChatText(raw);
    if (text.length === 0 || text.length > MAX_CHAT_LENGTH) return false;
    const self = this.#secure.membership.members.find((m) => m.isSelf);
    if (self === undefined) return false;
    const messageId = crypto.getRandomValues(new Uint8Array(MESSAGE_ID_BYTES));
    const id = toBase64Url(messageId);
    this.#log.own(id, self.name, text);
    this.lines = this.#log.lines;
    this.#outbox.add(id, encodeChatBody({ messageId, text }));
    return true;
  }

  #received(delivery: AppDelivery): void {
    let body;
    try {
      body = decodeChatBody(delivery.body);
    } catch (error) {
      // Signed by a member, so not the server's doing: a newer or broken client.
      console.warn(`chat: dropped a line from member ${delivery.from.index}: ${error instanceof Error ? error.message : 'invalid'}`);
      return;
    }
    const from = delivery.from;
    const shown = this.#log.receive({ sender: toBase64Url(from.identityPublicKey), messageId: toBase64Url(body.messageId), seq: delivery.seq, name: from.name, text: body.text });
    if (shown) this.lines = this.#log.lines;
    else trace('chat-duplicate', from.participantId);
  }

  #acked(relayId: string): void {
    const messageId = this.#outbox.acked(relayId);
    if (messageId === undefined) return;
    this.#log.sent(messageId);
    this.lines = this.#log.lines;
  }
}
