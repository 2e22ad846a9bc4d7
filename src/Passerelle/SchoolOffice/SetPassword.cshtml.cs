using Passerelle.Accounts;
using Passerelle.Schools;

namespace Passerelle.SchoolOffice;

public sealed class SetPasswordModel(PasswordSetup setup)
    : SetPasswordPage<Staff>(setup, AccountKind.Staff, "/SchoolOffice/Login");
