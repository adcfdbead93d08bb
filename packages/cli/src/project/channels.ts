import type { ChannelsConfig, EnvRef, PatronConfig } from "@patron/config";
import { consoleChannel, smtpChannel, twilioChannel, wechatChannel } from "@patron/channels";
import type { Channel, ChannelName } from "@patron/channels";
import { UsageError } from "./files.js";

/**
 * The channels a run sends through, built from patron.yaml. Credentials are read here, at the
 * edge, from the environment variables patron.yaml names; a missing one stops the command before
 * anything is planned, naming the variable and the setting. `sendTo` replaces every provider by
 * the file channel (one JSON line per message): rehearsals and demos send nothing.
 */
export function openChannels(
  config: Pick<PatronConfig, "channels">,
  needed: ReadonlySet<ChannelName>,
  env: NodeJS.ProcessEnv,
  sendTo?: string,
): Map<ChannelName, Channel> {
  const channels = new Map<ChannelName, Channel>();
  for (const name of needed) {
    if (sendTo !== undefined) channels.set(name, consoleChannel({ name, file: sendTo }));
    else channels.set(name, providerChannel(config.channels, name, env));
  }
  return channels;
}

function providerChannel(channels: ChannelsConfig, name: ChannelName, env: NodeJS.ProcessEnv): Channel {
  const secret = (ref: EnvRef, key: string): string => {
    const value = env[ref.env];
    if (value === undefined || value === "") {
      throw new UsageError(
        `channels.${name}.${key} in patron.yaml names the environment variable ${ref.env}, which is not set: export ${ref.env}=… before sending (or rehearse with --send-to FILE)`,
      );
    }
    return value;
  };
  const rate = (r: number | undefined) => (r === undefined ? {} : { ratePerSecond: r });
  const concurrency = (c: number | undefined) => (c === undefined ? {} : { concurrency: c });
  const timeout = (t: number | undefined) => (t === undefined ? {} : { timeoutMs: t });
  switch (name) {
    case "sms": {
      const sms = channels.sms;
      if (!sms) throw new UsageError("no sms channel in patron.yaml: add channels.sms");
      return twilioChannel({
        accountSid: secret(sms.accountSid, "accountSid"),
        authToken: secret(sms.authToken, "authToken"),
        ...(sms.from === undefined ? {} : { from: sms.from }),
        ...(sms.messagingServiceSid === undefined ? {} : { messagingServiceSid: sms.messagingServiceSid }),
        ...(sms.statusCallback === undefined ? {} : { statusCallback: sms.statusCallback }),
        ...(sms.baseUrl === undefined ? {} : { baseUrl: sms.baseUrl }),
        credentialSource: `${sms.accountSid.env} and ${sms.authToken.env} (channels.sms in patron.yaml)`,
        ...concurrency(sms.concurrency),
        ...rate(sms.ratePerSecond),
        ...timeout(sms.timeoutMs),
      });
    }
    case "email": {
      const email = channels.email;
      if (!email) throw new UsageError("no email channel in patron.yaml: add channels.email");
      return smtpChannel({
        host: email.host,
        port: email.port,
        secure: email.secure,
        ...(email.user === undefined ? {} : { user: secret(email.user, "user") }),
        ...(email.password === undefined ? {} : { password: secret(email.password, "password") }),
        from: email.from,
        ...(email.replyTo === undefined ? {} : { replyTo: email.replyTo }),
        ...(email.maxConnections === undefined ? {} : { maxConnections: email.maxConnections }),
        ...rate(email.ratePerSecond),
        ...timeout(email.timeoutMs),
      });
    }
    case "wechat": {
      const wechat = channels.wechat;
      if (!wechat) throw new UsageError("no wechat channel in patron.yaml: add channels.wechat");
      return wechatChannel({
        appId: secret(wechat.appId, "appId"),
        appSecret: secret(wechat.appSecret, "appSecret"),
        baseUrl: wechat.baseUrl,
        ...concurrency(wechat.concurrency),
        ...rate(wechat.ratePerSecond),
        ...timeout(wechat.timeoutMs),
      });
    }
  }
}
