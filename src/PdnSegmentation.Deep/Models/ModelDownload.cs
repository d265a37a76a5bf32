using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using PdnSegmentation.Deep.Runtime;

namespace PdnSegmentation.Deep.Models;

/// <param name="FileName">The file's name inside the model's folder (e.g. encoder.onnx).</param>
/// <param name="Url">Where to download it from.</param>
/// <param name="Size">The byte size when an authoritative value is published, else null (recorded at install).</param>
/// <param name="Sha256">The SHA-256 when published, else null (recorded at install, after the tensor contract checks).</param>
/// <param name="Md5">The MD5 where the publisher states only that (rembg's release assets), else null.</param>
public sealed record ModelSource(string Role, string FileName, Uri Url, long? Size, string? Sha256, string? Md5 = null);

/// <summary>
/// Downloads one model file: resumable (an interrupted download continues with an HTTP Range request from the
/// <c>.part</c> file left behind), with progress and cancellation, verified against the published size and SHA-256
/// (or MD5, where that is all the publisher states) before it is handed over. Nothing is installed by this class; <see cref="ModelInstaller"/> moves verified files into
/// place all at once.
/// </summary>
public static class ModelDownload
{
    private const int BufferSize = 1 << 16;

    /// <summary>Downloads <paramref name="source"/> to <paramref name="destination"/> (via destination.part); returns its SHA-256.</summary>
    public static async Task<string> FetchAsync(HttpClient http, ModelSource source, string destination, IProgress<(long Done, long? Total)>? progress,
        CancellationToken cancellationToken)
    {
        string partial = destination + ".part";
        long have = File.Exists(partial) ? new FileInfo(partial).Length : 0;
        if (source.Size is { } size && have > size) { File.Delete(partial); have = 0; }
        using var request = new HttpRequestMessage(HttpMethod.Get, source.Url);
        if (have > 0) request.Headers.Range = new RangeHeaderValue(have, null);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new ModelException($"Could not download '{source.FileName}' from {source.Url}: {e.Message}. Check the connection and run the install again (it resumes).", e);
        }
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have > 0)
            {
                File.Delete(partial); // the server cannot resume this file: start over next time
                throw new ModelException($"The partial download of '{source.FileName}' cannot be resumed; it was discarded. Run the install again.");
            }
            if (!response.IsSuccessStatusCode)
                throw new ModelException($"Could not download '{source.FileName}' from {source.Url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
            bool resumed = have > 0 && response.StatusCode == HttpStatusCode.PartialContent;
            if (!resumed) have = 0;
            long? total = source.Size ?? (response.Content.Headers.ContentLength is { } length ? length + have : null);
            await using (var output = new FileStream(partial, resumed ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
            await using (var input = await response.Content.ReadAsStreamAsync(cancellationToken))
            {
                var buffer = new byte[BufferSize];
                long done = have;
                int read;
                try
                {
                    while ((read = await input.ReadAsync(buffer, cancellationToken)) > 0)
                    {
                        await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                        done += read;
                        progress?.Report((done, total));
                    }
                }
                catch (IOException e) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new ModelException($"The download of '{source.FileName}' broke off after {done} bytes ({e.Message}). Run the install again: it resumes.", e);
                }
            }
        }
        long actualSize = new FileInfo(partial).Length;
        if (source.Size is { } expected && actualSize != expected)
        {
            if (actualSize > expected) File.Delete(partial);
            throw new ModelException($"The download of '{source.FileName}' is truncated: {actualSize} of {expected} bytes arrived. Run the install again: it resumes.");
        }
        // One read of the file for both hashes: the SHA-256 recorded in model.json, and the MD5 some publishers pin.
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        await using (var check = new FileStream(partial, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true))
        {
            var buffer = new byte[BufferSize];
            int read;
            while ((read = await check.ReadAsync(buffer, cancellationToken)) > 0)
            {
                sha256.AppendData(buffer, 0, read);
                md5.AppendData(buffer, 0, read);
            }
        }
        string sha = Convert.ToHexString(sha256.GetHashAndReset()).ToLowerInvariant();
        try
        {
            ModelFile.CheckMd5(Convert.ToHexString(md5.GetHashAndReset()).ToLowerInvariant(), source.Md5, source.FileName);
        }
        catch (ModelException)
        {
            File.Delete(partial); // a complete file with the wrong content: resuming it would only repeat the mismatch
            throw;
        }
        if (source.Sha256 is { } pinned && !string.Equals(sha, pinned, StringComparison.OrdinalIgnoreCase))
        {
            File.Delete(partial);
            throw new ModelException($"The downloaded '{source.FileName}' does not match its published SHA-256 ({sha[..12]}… instead of {pinned[..12]}…): it was discarded. " +
                                     "The source may have changed or been tampered with.");
        }
        File.Move(partial, destination, overwrite: true);
        return sha;
    }
}
