// The `lstm` tool: thin commands over the library. Exit codes: 0 success, 1 bad input or usage, 2 internal error.
using System.CommandLine;
using LstmSharp.Cli.Commands;

var root = new RootCommand("LstmSharp: LSTM, GRU and RNN networks in pure managed C#.");
root.Subcommands.Add(DemoCommand.Create());
return root.Parse(args).Invoke();
