/**
 * IRC case folding by the server's CASEMAPPING (ISUPPORT): nicks and channels compare case-insensitively,
 * and under rfc1459 `[]\~` are the upper case of `{}|^`. Unknown mappings fold like rfc1459, the default.
 */
export type CaseFold = (value: string) => string;

export function caseFoldFor(casemapping: string | undefined): CaseFold {
  const upperBound = casemapping === 'ascii' ? 0x5a : casemapping === 'strict-rfc1459' ? 0x5d : 0x5e;
  return (value) => {
    let out = '';
    for (let i = 0; i < value.length; i += 1) {
      const code = value.charCodeAt(i);
      out += code >= 0x41 && code <= upperBound ? String.fromCharCode(code + 0x20) : value[i];
    }
    return out;
  };
}

/** RFC 1459 casemapping, the default, which services use for account names. */
export const ircFold: CaseFold = caseFoldFor('rfc1459');
