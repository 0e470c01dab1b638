#!/usr/bin/python3
"""Write two real PyTorch files for the test that a .pt given where safetensors is expected is recognised.

    /usr/bin/python3 tools/torch_import_fixtures/make_pt_fixtures.py

Debian 12's python3-torch (1.13). Writes into tests/LstmSharp.Tests/Fixtures/torch_import/:

  lstm_state_dict.pt         torch.save(state_dict, path): the zip format (default since torch 1.6), "PK\\x03\\x04".
  lstm_state_dict_legacy.pt  torch.save(..., _use_new_zipfile_serialization=False): a bare pickle, "\\x80\\x02".

The state_dict is a small nn.LSTM(2, 3)'s. The tests only read the first bytes' kind and check the error message,
so the weights do not matter; the script checks that both files load back in torch and start as described.
"""
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "LstmSharp.Tests", "Fixtures", "torch_import")

torch.manual_seed(0)
state = torch.nn.LSTM(2, 3, batch_first=True).state_dict()
zip_path = os.path.join(OUT, "lstm_state_dict.pt")
legacy_path = os.path.join(OUT, "lstm_state_dict_legacy.pt")
torch.save(state, zip_path)
torch.save(state, legacy_path, _use_new_zipfile_serialization=False)

for path, magic in [(zip_path, b"PK\x03\x04"), (legacy_path, b"\x80\x02")]:
    with open(path, "rb") as f:
        assert f.read(len(magic)) == magic, path
    loaded = torch.load(path)
    assert list(loaded) == list(state) and all(torch.equal(loaded[k], state[k]) for k in state), path
    print(f"{os.path.basename(path)}: {os.path.getsize(path)} bytes, starts with {magic!r}")
