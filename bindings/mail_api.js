// `MailerMessage`, `$app.newMailClient()` and `$mails` (bindings/mail_api.py sends): a message's fields with the
// binary's defaults (addresses as {name, address}, empty lists, null headers and attachments); send() is one
// crossing. `$mails`' record mails (password reset, verification…) need the auth collections' templates: they
// throw a clear error for now.
(function (G) {
  'use strict';
  const R = G.__pv;
  const str = (v) => (v === undefined || v === null ? '' : String(v));
  const address = (a) => ({ name: str(a && a.name), address: str(a && a.address) });
  const list = (v) => Array.from(v || [], address);

  class MailerMessage {
    constructor(data) {
      data = data !== null && typeof data === 'object' ? data : {};
      this.from = address(data.from);
      this.to = list(data.to);
      this.bcc = list(data.bcc);
      this.cc = list(data.cc);
      this.subject = str(data.subject);
      this.html = str(data.html);
      this.text = str(data.text);
      this.headers = data.headers !== null && typeof data.headers === 'object' ? Object.assign({}, data.headers) : null;
      this.attachments = data.attachments || null;
      this.inlineAttachments = data.inlineAttachments || null;
    }
  }
  const onSend = Object.freeze({
    bindFunc() { throw new Error('pagesvm: newMailClient().onSend hooks are not supported yet'); },
  });
  function deliver(message) {
    const answer = R.py('pv_mail.send', [JSON.parse(JSON.stringify(new MailerMessage(message)))]);
    if (answer.error !== undefined) throw R.goError(answer.error);
  }
  function newMailClient() {
    return {
      onSend,
      send(message) {
        if (message === null || typeof message !== 'object') throw R.goError('mail: the message is not a MailerMessage');
        if (message.attachments || message.inlineAttachments) throw new Error('pagesvm: mail attachments are not supported yet');
        // Through the onMailerSend hooks when the project has any (runtime/hooks/js/api_hooks.js), as the binary.
        if (R.mailerSend !== undefined && R.mailerSendRefs) R.mailerSend(message instanceof MailerMessage ? message : new MailerMessage(message), deliver);
        else deliver(message);
      },
    };
  }
  const unsupported = (name) => () => { throw new Error('pagesvm: $mails.' + name + ' is not supported yet'); };
  G.MailerMessage = MailerMessage;
  G.$mails = Object.freeze({
    sendRecordPasswordReset: unsupported('sendRecordPasswordReset'),
    sendRecordVerification: unsupported('sendRecordVerification'),
    sendRecordChangeEmail: unsupported('sendRecordChangeEmail'),
    sendRecordOTP: unsupported('sendRecordOTP'),
    sendRecordAuthAlert: unsupported('sendRecordAuthAlert'),
  });
  if (G.$app) G.$app.newMailClient = newMailClient;
  R.shared.push(MailerMessage);
})(globalThis);
