// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

import {ConsortiumDirectory} from "./ConsortiumDirectory.sol";

/**
 * @title ConsortiumLedger
 * @notice The consortium's batch ledger: wards publish batches of sealed records, each batch id
 * at most once per ward, and key grants addressed to other wards.
 * @dev Only an active ward of the directory may publish, so a batch in this ledger proves its
 * ward was a member when it was published. Storage keeps, per batch, what a receiver checks a
 * record's inclusion proof against (root, count, payload bytes, block); the sealed payloads and
 * the grants live in events only. Nothing here names or links a patient: payloads and grants are
 * ciphertexts, batch ids are random, and a grant is found by its recipient through a tag that only
 * the two wards can compute (see docs/consortium.md for the formats).
 */
contract ConsortiumLedger {
    /// @notice A published batch. All zero when the batch id was never published by that ward.
    struct Batch {
        /// Merkle root over the batch's shares (see docs/consortium.md).
        bytes32 root;
        /// Number of sealed records in the payload.
        uint32 count;
        /// Length of the payload in bytes.
        uint32 payloadBytes;
        /// Block the batch was published in.
        uint64 blockNumber;
        /// Timestamp of that block.
        uint64 timestamp;
    }

    /// @notice The caller is not an active ward of the directory.
    error NotActiveWard(address caller);
    /// @notice The batch id, root, count or payload is empty.
    error EmptyBatch();
    /// @notice The payload is longer than a uint32 can count.
    error PayloadTooLarge();
    /// @notice This ward already published a batch with this id.
    error AlreadyPublished(address ward, bytes32 batchId);
    /// @notice A grant is shorter than MIN_GRANT_BYTES or longer than MAX_GRANT_BYTES.
    error InvalidGrant(uint256 index);
    /// @notice publishGrants was called without grants.
    error NoGrants();

    /// @notice A ward published a batch of sealed records (`records`: the concatenated sealed records).
    event BatchPublished(address indexed ward, bytes32 indexed batchId, bytes32 root, uint32 count, bytes records);
    /// @notice A ward published a key grant: `grant` is tag-prefixed and sealed for its receiving ward.
    event KeyGranted(address indexed ward, bytes grant);

    /// @notice Shortest grant accepted: ephemeral key (33) + tag (16) + AEAD tag (16).
    uint256 public constant MIN_GRANT_BYTES = 65;
    /// @notice Longest grant accepted.
    uint256 public constant MAX_GRANT_BYTES = 8192;

    /// @notice The directory consulted for membership.
    ConsortiumDirectory public immutable directory;

    mapping(address ward => mapping(bytes32 batchId => Batch)) private _batches;
    /// @notice Number of batches each ward has published.
    mapping(address ward => uint256) public batchCount;

    /// @param directory_ The consortium's ConsortiumDirectory.
    constructor(address directory_) {
        directory = ConsortiumDirectory(directory_);
    }

    /**
     * @notice Publishes a batch of sealed records, with key grants for its standing recipients.
     * @dev Only an active ward. `batchId` is chosen by the ward (random, kept with the prepared
     * batch so that a retry sends the same bytes) and can be published once per ward; a retry of a
     * batch already mined reverts with AlreadyPublished, so ask batchOf() before re-sending.
     * @param batchId The ward's id for this batch (not zero).
     * @param root Merkle root over the batch's shares (not zero).
     * @param count Number of sealed records in `records` (not zero).
     * @param records The sealed records, concatenated (not empty).
     * @param grants Key grants to emit with the batch (may be empty).
     */
    function publishBatch(bytes32 batchId, bytes32 root, uint32 count, bytes calldata records, bytes[] calldata grants) external {
        _requireActiveWard();
        if (batchId == bytes32(0) || root == bytes32(0) || count == 0 || records.length == 0) revert EmptyBatch();
        if (records.length > type(uint32).max) revert PayloadTooLarge();
        Batch storage b = _batches[msg.sender][batchId];
        if (b.root != bytes32(0)) revert AlreadyPublished(msg.sender, batchId);

        b.root = root;
        b.count = count;
        b.payloadBytes = uint32(records.length);
        b.blockNumber = uint64(block.number);
        b.timestamp = uint64(block.timestamp);
        batchCount[msg.sender] += 1;
        emit BatchPublished(msg.sender, batchId, root, count, records);
        _emitGrants(grants);
    }

    /**
     * @notice Publishes key grants on their own (a transfer of care, a share with a clinician).
     * @dev Only an active ward.
     * @param grants One or more grants, each MIN_GRANT_BYTES..MAX_GRANT_BYTES long.
     */
    function publishGrants(bytes[] calldata grants) external {
        _requireActiveWard();
        if (grants.length == 0) revert NoGrants();
        _emitGrants(grants);
    }

    /**
     * @notice The batch `ward` published with `batchId`.
     * @param ward The publishing ward's sync account.
     * @param batchId The batch id.
     * @return The batch, all zero when it was never published.
     */
    function batchOf(address ward, bytes32 batchId) external view returns (Batch memory) {
        return _batches[ward][batchId];
    }

    function _emitGrants(bytes[] calldata grants) private {
        uint256 length = grants.length;
        for (uint256 i = 0; i < length; ++i) {
            uint256 size = grants[i].length;
            if (size < MIN_GRANT_BYTES || size > MAX_GRANT_BYTES) revert InvalidGrant(i);
            emit KeyGranted(msg.sender, grants[i]);
        }
    }

    function _requireActiveWard() private view {
        if (!directory.isActiveWard(msg.sender)) revert NotActiveWard(msg.sender);
    }
}
