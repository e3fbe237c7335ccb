/** Requests Node's HTTP parser refuses before any handler runs, answered as problems like every other error. */
import type { Duplex } from 'node:stream';
import { headerFieldsTooLarge, requestTimeout, unparsableRequest, type HttpProblem } from '../errors.js';

/**
 * A `clientError` listener for the server: Node's own answer is a bare `400 Bad Request` with no
 * body, such as for a method it does not know (`FROB / HTTP/1.1`). This sends the status Node
 * would (431 for oversized headers, 408 for a request timeout, else 400) as an
 * `application/problem+json` body, then closes the connection, as Node does.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  const bytesWritten = (socket as Duplex & { bytesWritten?: number }).bytesWritten ?? 0;
  if (err.code === 'ECONNRESET' || !socket.writable || bytesWritten > 0) {
    socket.destroy();
    return;
  }
  const problem = problemFor(err.code);
  const body = JSON.stringify(problem.toProblem());
  socket.end(
    `HTTP/1.1 ${problem.status} ${problem.title}\r\n` +
      'Content-Type: application/problem+json\r\n' +
      'Cache-Control: no-store\r\n' +
      'X-Content-Type-Options: nosniff\r\n' +
      'Connection: close\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}

/** The problem for a parser error code, with the statuses Node itself answers (lib/_http_server.js). */
function problemFor(code: string | undefined): HttpProblem {
  if (code === 'HPE_HEADER_OVERFLOW') return headerFieldsTooLarge();
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return requestTimeout();
  if (code === 'HPE_INVALID_METHOD') return unparsableRequest('The request method is not one HTTP knows.');
  return unparsableRequest('The request is not valid HTTP/1.1.');
}
