using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FedDistill.Security;

/// <summary>Reading and writing the PEM files of certificates and private keys, with private keys kept owner-only.</summary>
internal static class PemFiles
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates <paramref name="directory"/> (owner-only on Unix when new) and returns its full path.</summary>
    public static string EnsureDirectory(string directory)
    {
        var full = Path.GetFullPath(directory);
        if (!Directory.Exists(full))
        {
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(full);
            else Directory.CreateDirectory(full, OwnerOnlyDirectory);
        }
        return full;
    }

    /// <summary>Writes a certificate and its key; refuses to replace either file unless <paramref name="overwrite"/>.</summary>
    public static void WritePair(string certificatePath, string certificatePem, string keyPath, string keyPem, bool overwrite)
    {
        if (!overwrite)
        {
            foreach (var path in new[] { certificatePath, keyPath })
            {
                if (File.Exists(path))
                    throw new CertificateAuthorityException($"{path} already exists; refusing to overwrite it. Remove it or pass overwrite (--force) to replace it.");
            }
        }
        // The key goes first, so that a certificate file never exists without its key.
        WriteAtomically(keyPath, keyPem, secret: true);
        WriteAtomically(certificatePath, certificatePem, secret: false);
    }

    /// <summary>Loads a PEM certificate, with a message naming the file when it is missing or corrupt.</summary>
    public static X509Certificate2 LoadCertificate(string path, string what)
    {
        if (!File.Exists(path))
            throw new CertificateAuthorityException($"{what} {path} does not exist.");
        try
        {
            return X509Certificate2.CreateFromPem(File.ReadAllText(path));
        }
        catch (CryptographicException exception)
        {
            throw new CertificateAuthorityException($"{what} {path} is not a readable PEM certificate: {exception.Message}", exception);
        }
    }

    /// <summary>Loads a PEM certificate with its PEM private key, checking that they belong together.</summary>
    /// <param name="certificatePath">The PEM certificate.</param>
    /// <param name="keyPath">The PEM private key.</param>
    /// <param name="what">What the files are, for messages ("CA", "TLS").</param>
    /// <param name="requireOwnerOnlyKey">Refuse a key file that other users can read (Unix).</param>
    public static X509Certificate2 LoadCertificateWithKey(string certificatePath, string keyPath, string what, bool requireOwnerOnlyKey)
    {
        if (!File.Exists(certificatePath))
            throw new CertificateAuthorityException($"{what} certificate {certificatePath} does not exist.");
        if (!File.Exists(keyPath))
            throw new CertificateAuthorityException($"{what} key {keyPath} does not exist.");
        if (requireOwnerOnlyKey && !OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(keyPath);
            if ((mode & GroupOrOther) != 0)
                throw new CertificateAuthorityException(
                    $"{what} key {keyPath} can be read or written by other users (mode {Convert.ToString((int)mode, 8)}); run 'chmod 600 {keyPath}'.");
        }
        try
        {
            return X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
        }
        catch (Exception exception) when (exception is CryptographicException or ArgumentException)
        {
            throw new CertificateAuthorityException(
                $"{what} certificate {certificatePath} and key {keyPath} could not be loaded together (corrupt PEM, or a key that does not match the certificate): {exception.Message}", exception);
        }
    }

    private static void WriteAtomically(string path, string contents, bool secret)
    {
        var directory = Path.GetDirectoryName(path)!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = secret ? OwnerOnlyFile : OwnerOnlyFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        try
        {
            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(contents);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
