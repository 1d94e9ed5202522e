import { createMemoryLedger } from '../../src/ledger/memory-ledger.js';
import { describeLedgerContract } from './ledger-contract.js';

describeLedgerContract('memory', async () => createMemoryLedger());
