using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Passerelle.Storage;

namespace Passerelle.Accounts;

/// <summary>
/// The data-protection key ring (it signs session cookies and antiforgery tokens) lives in the database. With
/// <c>DataProtection:CertificatePath</c> (a PKCS#12 file, its password in <c>DataProtection:CertificatePassword</c>),
/// every key is encrypted with that certificate before it is stored, so a copy of the database (a backup) does
/// not give the keys away. Every instance needs the same certificate. Without it, Production says so at start-up.
/// </summary>
public sealed class KeyRingOptions
{
    public const string Section = "DataProtection";

    public string? CertificatePath { get; init; }
    public string? CertificatePassword { get; init; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(CertificatePath);

    public static KeyRingOptions FromConfiguration(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<KeyRingOptions>() ?? new KeyRingOptions();
}

public static class KeyRingProtection
{
    public static IDataProtectionBuilder ProtectKeys(this IDataProtectionBuilder builder, KeyRingOptions options)
    {
        if (!options.IsConfigured)
            return builder;
        var path = options.CertificatePath!;
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"DataProtection:CertificatePath '{path}' cannot be read as a PKCS#12 certificate with its password: {e.Message.Trim()}");
        }
        if (!certificate.HasPrivateKey)
            throw new StartupException($"DataProtection:CertificatePath '{path}' holds no private key: the keys could not be read back.");
        return builder.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
    }
}
