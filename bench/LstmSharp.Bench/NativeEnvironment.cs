// NativeEnvironment: setenv(3) in the C runtime. Environment.SetEnvironmentVariable only changes .NET's own
// copy, which native libraries (OpenBLAS, oneDNN inside libtorch) never read; they read theirs once, when loaded.
using System.Runtime.InteropServices;

namespace LstmSharp.Bench;

internal static unsafe class NativeEnvironment
{
    public static void Set(string name, string value)
    {
        var libc = NativeLibrary.Load("libc.so.6");
        var setenv = (delegate* unmanaged<byte*, byte*, int, int>)NativeLibrary.GetExport(libc, "setenv");
        var n = Marshal.StringToHGlobalAnsi(name);
        var v = Marshal.StringToHGlobalAnsi(value);
        try
        {
            if (setenv((byte*)n, (byte*)v, 1) != 0) throw new InvalidOperationException($"setenv({name}) failed.");
        }
        finally
        {
            Marshal.FreeHGlobal(n);
            Marshal.FreeHGlobal(v);
        }
        Environment.SetEnvironmentVariable(name, value);
    }
}
